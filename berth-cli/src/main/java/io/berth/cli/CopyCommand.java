package io.berth.cli;

import io.berth.client.artifact.Artifacts;
import io.berth.oci.Descriptor;
import io.berth.oci.Reference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth copy SRC DST}: an artifact with every platform and referrer, as {@code oras cp -r}. */
@Command(name = "copy", aliases = "cp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Copies an artifact between registries, repositories or OCI layouts (oci:DIR:TAG):",
                "every platform of an index and every referrer (signatures, SBOMs …). Blobs are mounted within a registry."})
final class CopyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "HOST/REPOSITORY:TAG, …@DIGEST or oci:DIR:TAG.")
    String from;

    @Parameters(index = "1", paramLabel = "DST", description = "HOST/REPOSITORY[:TAG] or oci:DIR[:TAG]; without a tag the source's.")
    String to;

    @Option(names = "--no-referrers", description = "Copy the artifact only, not what refers to it.")
    boolean noReferrers;

    @Option(names = {"-r", "--recursive"}, description = "Copy referrers too (the default; accepted for ORAS users).")
    boolean recursive;

    @Option(names = {"-q", "--quiet"}, description = "Print only the digest.")
    boolean quiet;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts(); ProgressBars progress = ProgressBars.create(spec.commandLine().getErr(), quiet)) {
            Location source = Location.parse(from, artifacts);
            Location target = Location.parse(to, artifacts);
            Reference reference = source.requireReference();
            Reference as = target.reference().orElse(reference);
            Descriptor copied = artifacts.copy(source.store(), reference, target.store(), as, !noReferrers, progress);
            progress.close();
            if (quiet) {
                out.println(copied.digest());
            } else {
                out.println("Copied " + from + " to " + target.with(as));
                out.println("Digest: " + copied.digest());
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
