package io.berth.cli;

import io.berth.client.artifact.Artifacts;
import io.berth.oci.Descriptor;
import io.berth.oci.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth manifest index create REF SOURCE...}, as {@code oras manifest index create}. */
@Command(name = "index", mixinStandardHelpOptions = true, description = "Creates image indexes.",
        subcommands = ManifestIndexCommand.Create.class)
final class ManifestIndexCommand {

    /** Creates an index from manifests of the same repository; platforms are read from their image configs. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates an index of manifests already in the repository of REF and tags it REF.",
                    "Each entry's platform comes from the image config (os, architecture, variant)."},
            footer = {"%nExample:", "  berth manifest index create --plain-http localhost:5000/hello:1.0 1.0-linux 1.0-windows"})
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY:TAG of the new index.")
        String ref;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "SOURCE", description = "Tags or digests in the same repository.")
        List<String> sources;

        @Option(names = {"-a", "--annotation"}, paramLabel = "KEY=VALUE", description = "An index annotation (repeatable).")
        List<String> annotations = new ArrayList<>();

        @Mixin
        RemoteOptions remote;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            try (Artifacts artifacts = remote.artifacts()) {
                Location target = Location.parse(ref, artifacts);
                List<Reference> refs = sources.stream().map(Reference::parse).toList();
                Descriptor index = artifacts.createIndex(target.store(), target.requireReference(), refs,
                        Annotations.parse(annotations));
                out.println("Created " + target.text());
                out.println("Digest: " + index.digest());
                out.flush();
            }
            return ExitCodes.OK;
        }
    }
}
