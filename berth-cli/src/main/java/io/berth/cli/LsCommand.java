package io.berth.cli;

import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.TaggedArtifact;
import io.berth.oci.Repository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth ls HOST}: the repositories of a registry with how many artifacts of each type they hold. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"Lists the repositories of a registry with their tags counted by artifact type.",
                "Types come from each tag's manifest, so this works on every registry with a catalog: with a Berth",
                "server's own type catalog, with the built-in one elsewhere."})
final class LsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "The registry, HOST[:PORT].")
    String registry;

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
            List<Map<String, Object>> listing = new ArrayList<>();
            List<List<String>> rows = new ArrayList<>();
            for (Repository repository : artifacts.repositories(registry)) {
                List<TaggedArtifact> tags = artifacts.describeTags(new ArtifactRef(registry, repository, Optional.empty()), false);
                Map<String, Integer> byTitle = new TreeMap<>();
                Map<String, Integer> byId = new TreeMap<>();
                for (TaggedArtifact t : tags) {
                    byTitle.merge(t.detected().type().title(), 1, Integer::sum);
                    byId.merge(t.detected().type().id(), 1, Integer::sum);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("repository", repository.name());
                entry.put("tags", tags.size());
                entry.put("types", byId);
                listing.add(entry);
                List<String> types = new ArrayList<>();
                byTitle.forEach((title, count) -> types.add(count == 1 ? title : title + " ×" + count));
                rows.add(List.of(repository.name(), String.valueOf(tags.size()), String.join(", ", types)));
            }
            if (output.json()) {
                Output.printJson(out, listing);
            } else {
                Output.printTable(out, List.of("Repository", "Tags", "Types"), rows);
            }
        }
        return ExitCodes.OK;
    }
}
