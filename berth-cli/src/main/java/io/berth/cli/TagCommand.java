package io.berth.cli;

import io.berth.client.artifact.Artifacts;
import io.berth.oci.Descriptor;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth tag REF TAG...}, as {@code oras tag}. */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Adds tags to the manifest REF names.")
final class TagCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY:TAG or …@DIGEST.")
    String ref;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TAG", description = "The new tags.")
    List<String> tags;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts()) {
            Location location = Location.parse(ref, artifacts);
            Descriptor tagged = artifacts.tag(location.store(), location.requireReference(), tags);
            tags.forEach(t -> out.println("Tagged " + location.with(new io.berth.oci.Reference.Tag(t))));
            out.println("Digest: " + tagged.digest());
            out.flush();
        }
        return ExitCodes.OK;
    }
}
