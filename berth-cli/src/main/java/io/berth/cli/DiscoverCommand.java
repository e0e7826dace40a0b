package io.berth.cli;

import io.berth.client.ContentStore;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.ReferrerTree;
import io.berth.oci.Descriptor;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth discover REF}: what refers to an artifact, as a tree, as {@code oras discover}. */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"Shows the referrers of an artifact (signatures, SBOMs, docs …) as a tree, each with its type.",
                "Uses the referrers API, or the sha256-<digest> tag index on registries without it."})
final class DiscoverCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY:TAG, …@DIGEST or oci:DIR:TAG.")
    String ref;

    @Option(names = "--artifact-type", paramLabel = "TYPE", description = "Only referrers of this artifact type.")
    String artifactType;

    @Mixin
    Output output;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts()) {
            Location location = Location.parse(ref, artifacts);
            ReferrerTree tree = artifacts.discover(location.store(), location.requireReference(), Optional.ofNullable(artifactType));
            TypeCatalog types = location.ref().map(r -> artifacts.types(r.registry())).orElse(TypeCatalog.builtIn());
            if (output.json()) {
                Output.printJson(out, json(location.store(), types, tree));
            } else {
                out.println(location.with(new Reference.ByDigest(tree.manifest().digest())));
                print(out, location.store(), types, tree, "");
                if (tree.referrers().isEmpty()) {
                    out.println("(no referrers)");
                }
                out.flush();
            }
        }
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, ContentStore store, TypeCatalog types, ReferrerTree node, String indent) {
        for (int i = 0; i < node.referrers().size(); i++) {
            ReferrerTree child = node.referrers().get(i);
            boolean last = i == node.referrers().size() - 1;
            Descriptor d = child.manifest();
            out.println(indent + (last ? "└── " : "├── ") + type(store, types, d).title() + "  "
                    + d.artifactType().orElse(d.mediaType()) + "  " + d.digest());
            print(out, store, types, child, indent + (last ? "    " : "│   "));
        }
    }

    private static Map<String, Object> json(ContentStore store, TypeCatalog types, ReferrerTree node) {
        Descriptor d = node.manifest();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("digest", d.digest().toString());
        m.put("mediaType", d.mediaType());
        d.artifactType().ifPresent(t -> m.put("artifactType", t));
        m.put("size", d.size());
        ArtifactType type = type(store, types, d);
        m.put("type", type.id());
        m.put("title", type.title());
        if (!d.annotations().isEmpty()) {
            m.put("annotations", d.annotations());
        }
        m.put("referrers", node.referrers().stream().map(r -> json(store, types, r)).toList());
        return m;
    }

    /** The type, from the manifest itself (its descriptor alone can be too little: docs are typed by their config). */
    private static ArtifactType type(ContentStore store, TypeCatalog types, Descriptor d) {
        try {
            return store.manifest(new Reference.ByDigest(d.digest()))
                    .map(m -> types.detect(m.parsed()).type())
                    .orElse(types.unknown());
        } catch (RegistryException unparseable) {
            return types.unknown();
        }
    }
}
