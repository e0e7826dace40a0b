package io.berth.cli;

import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.PushSpec;
import io.berth.oci.Descriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth push REF FILE[:MEDIATYPE]...}: files and directories as one artifact, as {@code oras push}. */
@Command(name = "push", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pushes files and directories as one artifact.",
                "Each file is a layer titled with its name; a directory is packed as tar+gzip and unpacked on pull.",
                "Without --config the config is the empty descriptor application/vnd.oci.empty.v1+json.",
                "REF is HOST/REPOSITORY[:TAG] or an OCI layout oci:DIR[:TAG]."},
        footer = {"%nExample:", "  berth push --plain-http localhost:5000/docs/hello:1.0 README.md:text/markdown --artifact-type application/vnd.example.docs"})
final class PushCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "Where to push: HOST/REPOSITORY[:TAG].")
    String ref;

    @Option(names = "--artifact-type", paramLabel = "TYPE", description = "The manifest's artifactType.")
    String artifactType;

    @Parameters(index = "1..*", paramLabel = "FILE[:MEDIATYPE]", description = "Files or directories, each a layer.")
    List<String> files = new ArrayList<>();

    @Mixin
    ContentOptions content;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PushSpec push = content.spec(Optional.ofNullable(artifactType), files);
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts(); ProgressBars progress = ProgressBars.create(spec.commandLine().getErr(), content.quiet)) {
            Location target = Location.parse(ref, artifacts);
            Descriptor pushed = artifacts.push(target.store(), target.reference(), push, progress);
            progress.close();
            if (content.quiet) {
                out.println(pushed.digest());
            } else {
                out.println("Pushed " + target.with(target.reference().orElse(new io.berth.oci.Reference.ByDigest(pushed.digest()))));
                if (artifactType != null) {
                    out.println("ArtifactType: " + artifactType);
                }
                out.println("Digest: " + pushed.digest());
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
