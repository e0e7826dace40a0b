package io.berth.cli;

import io.berth.client.artifact.Artifacts;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth pull REF -o DIR}: the files of an artifact, as {@code oras pull}. */
@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pulls the files of an artifact into a directory, named by their title annotations.",
                "Every blob is verified against its digest; names that would leave the directory are refused."})
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY:TAG, …@DIGEST, or oci:DIR:TAG.")
    String ref;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = ".", description = "Where to write (default: .).")
    Path output;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Which manifest of an index to pull.")
    String platform;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts(); ProgressBars progress = ProgressBars.create(spec.commandLine().getErr(), quiet)) {
            Location source = Location.parse(ref, artifacts);
            List<Path> files = artifacts.pull(source.store(), source.requireReference(), output, Optional.ofNullable(platform), progress);
            progress.close();
            if (!quiet) {
                if (files.isEmpty()) {
                    out.println("Pulled " + ref + ": no layer has a title annotation, nothing to write");
                } else {
                    out.println("Pulled " + ref + " into " + output);
                    files.forEach(f -> out.println("  " + output.toAbsolutePath().normalize().relativize(f)));
                }
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
