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

/** {@code berth attach REF FILE[:MEDIATYPE]... --artifact-type T}: a referrer of REF, as {@code oras attach}. */
@Command(name = "attach", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Attaches files to an artifact as a referrer (a manifest whose subject is REF): signatures, SBOMs, docs.",
                "On registries without the referrers API the sha256-<digest> tag index is updated."},
        footer = {"%nExample:", "  berth attach --plain-http localhost:5000/samples/image/hello-world:1.0 sbom.spdx.json:application/spdx+json --artifact-type application/spdx+json"})
final class AttachCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "The subject: HOST/REPOSITORY:TAG or @DIGEST.")
    String ref;

    @Option(names = "--artifact-type", required = true, paramLabel = "TYPE", description = "The referrer's artifactType.")
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
        PushSpec push = content.spec(Optional.of(artifactType), files);
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts(); ProgressBars progress = ProgressBars.create(spec.commandLine().getErr(), content.quiet)) {
            Location subject = Location.parse(ref, artifacts);
            Descriptor attached = artifacts.attach(subject.store(), subject.requireReference(), push, progress);
            progress.close();
            if (content.quiet) {
                out.println(attached.digest());
            } else {
                out.println("Attached to " + subject.text());
                out.println("Referrer: " + subject.with(new io.berth.oci.Reference.ByDigest(attached.digest())));
                out.println("Digest: " + attached.digest());
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
