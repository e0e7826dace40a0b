package io.berth.oci.type;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The type catalog a Berth server serves at {@link #PATH}, read back into a {@link TypeCatalog}, so that a client types
 * artifacts the way that server does, operators' type files included. Each served type carries its detection rules
 * ({@code detection}: a list of rules, each a list of conditions {@code {"kind": "<Match record>", …its fields}}),
 * actions, scanner category, links and {@code source}: {@code built-in} or the type file it came from.
 *
 * <p>Ranking is rebuilt as the server loaded the files: the built-in types first, then one file per other source in
 * name order (the server reads its types directory in name order), so that "rules from later files first" breaks ties
 * as on the server. Icons are not served inline; read types draw the generic icon. A condition of a kind this version
 * does not know drops its rule, never the type.
 */
public final class ServedCatalog {
    /** Where a Berth server serves its catalog (public, like the icons). */
    public static final String PATH = "/api/v1/types";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServedCatalog() {
    }

    /** The catalog of a {@code GET /api/v1/types} body; empty when the body is not one (another registry's 200 page). */
    public static Optional<TypeCatalog> read(byte[] body) {
        JsonNode types;
        try {
            types = JSON.readTree(body).path("types");
        } catch (IOException | RuntimeException notJson) {
            return Optional.empty();
        }
        if (!types.isArray() || types.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<JsonNode>> bySource = new LinkedHashMap<>();
        bySource.put(ArtifactType.BUILT_IN, new ArrayList<>());
        Map<String, List<JsonNode>> files = new TreeMap<>();
        for (JsonNode type : types) {
            String source = type.path("source").asText(ArtifactType.BUILT_IN);
            (source.equals(ArtifactType.BUILT_IN) ? bySource : files).computeIfAbsent(source, s -> new ArrayList<>()).add(type);
        }
        bySource.putAll(files);
        try {
            CatalogBuilder builder = new CatalogBuilder();
            bySource.forEach((source, entries) -> {
                builder.startFile();
                entries.forEach(entry -> builder.put(type(entry, source)));
            });
            return Optional.of(builder.build(""));
        } catch (RuntimeException malformed) {
            return Optional.empty(); // no "unknown" type, a missing id: not a catalog this client can use
        }
    }

    private static ArtifactType type(JsonNode node, String source) {
        String id = text(node, "id").orElseThrow(() -> new IllegalArgumentException("a served type without an id"));
        List<Rule> rules = new ArrayList<>();
        for (JsonNode rule : node.path("detection")) {
            rule(rule).ifPresent(rules::add);
        }
        List<ActionTemplate> actions = new ArrayList<>();
        for (JsonNode action : node.path("actions")) {
            Optional<String> title = text(action, "title");
            Optional<String> command = text(action, "command");
            if (title.isPresent() && command.isPresent()) {
                try {
                    actions.add(new ActionTemplate(title.get(), command.get(), text(action, "untagged")));
                } catch (IllegalArgumentException newerPlaceholder) {
                    // a placeholder this client cannot fill: the action is left out, as the server would for a target
                }
            }
        }
        List<ArtifactType.Link> links = new ArrayList<>();
        for (JsonNode link : node.path("links")) {
            Optional<URI> url = text(link, "url").flatMap(ServedCatalog::uri);
            text(link, "title").ifPresent(title -> url.ifPresent(u -> links.add(new ArtifactType.Link(title, u))));
        }
        ScannerCategory scanner = text(node, "scanner").flatMap(ScannerCategory::fromId).orElse(ScannerCategory.NONE);
        return new ArtifactType(id, text(node, "title").orElse(id), text(node, "description").orElse(""), Icons.generic(),
                rules, actions, scanner, text(node, "moreInfo").flatMap(ServedCatalog::uri), links, source);
    }

    private static Optional<Rule> rule(JsonNode conditions) {
        List<Match> all = new ArrayList<>();
        for (JsonNode condition : conditions) {
            Optional<Match> match = match(condition);
            if (match.isEmpty()) {
                return Optional.empty();
            }
            all.add(match.get());
        }
        return all.isEmpty() ? Optional.empty() : Optional.of(new Rule(all));
    }

    private static Optional<Match> match(JsonNode c) {
        return switch (c.path("kind").asText("")) {
            case "ArtifactTypeIs" -> mediaTypes(c).map(Match.ArtifactTypeIs::new);
            case "ConfigMediaTypeIs" -> mediaTypes(c).map(Match.ConfigMediaTypeIs::new);
            case "LayerMediaTypeIs" -> mediaTypes(c).map(Match.LayerMediaTypeIs::new);
            case "ManifestMediaTypeIs" -> mediaTypes(c).map(Match.ManifestMediaTypeIs::new);
            case "LayerMediaTypePrefix" -> text(c, "prefix").map(Match.LayerMediaTypePrefix::new);
            case "AnnotationIs" -> scope(c).flatMap(scope -> text(c, "key")
                    .map(key -> new Match.AnnotationIs(scope, key, text(c, "value"))));
            case "ChildrenHavePlatforms" -> Optional.of(new Match.ChildrenHavePlatforms());
            default -> Optional.empty();
        };
    }

    private static Optional<List<String>> mediaTypes(JsonNode c) {
        List<String> values = new ArrayList<>();
        c.path("mediaTypes").forEach(v -> {
            if (v.isTextual()) {
                values.add(v.asText());
            }
        });
        return values.isEmpty() ? Optional.empty() : Optional.of(values);
    }

    private static Optional<Match.Scope> scope(JsonNode c) {
        try {
            return Optional.of(Match.Scope.valueOf(c.path("scope").asText("")));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isEmpty() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static Optional<URI> uri(String text) {
        try {
            return Optional.of(URI.create(text));
        } catch (IllegalArgumentException notAUri) {
            return Optional.empty();
        }
    }
}
