package io.berth.cli;

import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.TaggedArtifact;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth show-tags HOST/REPOSITORY}: a Tag | Type | Actions table, like {@code az acr repository show-tags}. */
@Command(name = "show-tags", mixinStandardHelpOptions = true,
        description = {"Lists the tags of a repository with the type of each artifact and what to do with it.",
                "Types come from each tag's manifest, so this works on every registry: with a Berth server's own",
                "type catalog (the types its operators configured), with the built-in one elsewhere."})
final class ShowTagsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPOSITORY", description = "HOST/REPOSITORY.")
    String repository;

    @Option(names = "--all", description = "Also list the sha256-… tags that hold referrers on registries without the referrers API.")
    boolean all;

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
            ArtifactRef ref = ArtifactRef.parse(repository);
            List<TaggedArtifact> tags = artifacts.describeTags(ref, all);
            if (output.json()) {
                Output.printJson(out, tags.stream().map(ShowTagsCommand::json).toList());
                return ExitCodes.OK;
            }
            out.println("Repository: " + ref.repository());
            List<List<String>> rows = new ArrayList<>();
            for (TaggedArtifact t : tags) {
                String type = t.detected().type().title() + (t.detected().platforms().isEmpty() ? ""
                        : " (" + String.join(", ", t.detected().platforms()) + ")");
                rows.add(List.of(t.tag(), type, t.actions().isEmpty() ? "" : t.actions().get(0).command()));
            }
            Output.printTable(out, List.of("Tag", "Type", "Actions"), rows);
        }
        return ExitCodes.OK;
    }

    static Map<String, Object> json(TaggedArtifact t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", t.tag());
        m.put("digest", t.manifest().digest().toString());
        m.put("mediaType", t.manifest().mediaType());
        t.manifest().artifactType().ifPresent(a -> m.put("artifactType", a));
        m.put("type", t.detected().type().id());
        m.put("title", t.detected().type().title());
        if (!t.detected().platforms().isEmpty()) {
            m.put("platforms", t.detected().platforms());
        }
        m.put("actions", t.actions().stream().map(a -> Map.of("title", a.title(), "command", a.command())).toList());
        return m;
    }
}
