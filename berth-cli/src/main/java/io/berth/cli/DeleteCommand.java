package io.berth.cli;

import io.berth.client.artifact.Artifacts;
import io.berth.oci.Descriptor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth delete REF}: deletes a manifest (and so every tag of it), as {@code oras manifest delete}. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Deletes the manifest REF names, with every tag that points at it.",
                "A referrer is also removed from its subject's referrers tag index where the registry has no referrers API."})
final class DeleteCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY:TAG or …@DIGEST.")
    String ref;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts()) {
            Location location = Location.parse(ref, artifacts);
            Descriptor deleted = artifacts.delete(location.store(), location.requireReference());
            out.println("Deleted " + location.with(new io.berth.oci.Reference.ByDigest(deleted.digest())));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
