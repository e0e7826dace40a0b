package io.berth.oci.type;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.oci.type.Fields.Invalid;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Berth's own type file format ({@code berthTypes: 1}), JSON or YAML. An example (a test loads this very file,
 * {@code src/test/resources/type/example/acme-types.yaml}):
 * <pre>{@code
 * berthTypes: 1
 * types:
 *   - id: acme-rocket                       # kebab-case; an existing id (built-in or earlier file) is replaced
 *     title: Acme rocket
 *     description: A launch plan for Acme's rocket CLI.
 *     icon: icons/acme-rocket.svg           # inline <svg…>, data:image/svg+xml URL, http(s) URL or relative .svg
 *     scanner: iac                          # image, sbom, signature, attestation, chart, iac, policy, model, none
 *     moreInfo: https://rocket.example/docs
 *     match:                                # any rule; within a rule, every condition
 *       - artifactType: application/vnd.acme.rocket.v1
 *       - configMediaType: [application/vnd.acme.rocket.config.v1+json]
 *         layerMediaType: application/vnd.acme.rocket.plan.v1+yaml
 *     actions:
 *       - title: Launch
 *         command: rocket launch {registry}/{repository}:{tag}
 *         untagged: rocket launch {registry}/{repository}@{digest}
 *     links:
 *       - {title: Get the CLI, url: https://rocket.example/install}
 * }</pre>
 * Rule conditions: {@code artifactType}, {@code configMediaType}, {@code layerMediaType}, {@code manifestMediaType}
 * (a string or a list: any of them), {@code layerMediaTypePrefix} (a string), {@code annotation} (an object
 * {@code {on: manifest|config|layer|child, key, value?}} or a list of them; {@code on} defaults to {@code manifest}, no
 * {@code value} means "present") and {@code childrenHavePlatforms: true}. Only {@code id}, {@code title} and at least
 * one rule are required ({@code unknown} has none); unknown fields are errors, so typos do not pass silently.
 */
final class BerthFormat {
    static final int VERSION = 1;
    private static final Set<String> TYPE_FIELDS = Set.of("id", "title", "description", "icon", "scanner", "moreInfo",
            "match", "actions", "links");
    private static final Set<String> RULE_FIELDS = Set.of("artifactType", "configMediaType", "layerMediaType",
            "layerMediaTypePrefix", "annotation", "manifestMediaType", "childrenHavePlatforms");
    private static final Pattern ID = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");

    private BerthFormat() {
    }

    static ArtifactType type(JsonNode node, TypeSource source, String sourceLabel) throws Invalid {
        Fields.object(node, "a type");
        Fields.onlyKnown(node, TYPE_FIELDS, "a type");
        String id = Fields.required(node, "id");
        if (!ID.matcher(id).matches()) {
            throw new Invalid("id must be kebab-case (a-z, 0-9 and single dashes): " + id);
        }
        String title = Fields.required(node, "title");
        String description = Fields.optional(node, "description").orElse("");
        Optional<String> iconValue = Fields.optional(node, "icon");
        Icon icon = iconValue.isPresent() ? Icons.resolve(iconValue.get(), source) : Icons.generic();
        ScannerCategory scanner = ScannerCategory.NONE;
        Optional<String> scannerId = Fields.optional(node, "scanner");
        if (scannerId.isPresent()) {
            scanner = ScannerCategory.fromId(scannerId.get())
                    .orElseThrow(() -> new Invalid("unknown scanner category \"" + scannerId.get() + "\""));
        }
        Optional<String> moreInfoText = Fields.optional(node, "moreInfo");
        Optional<URI> moreInfo = moreInfoText.isPresent()
                ? Optional.of(Fields.webUrl(moreInfoText.get(), "moreInfo")) : Optional.empty();
        List<Rule> rules = new ArrayList<>();
        for (JsonNode rule : Fields.array(node, "match")) {
            rules.add(rule(rule));
        }
        if (rules.isEmpty() && !id.equals(ArtifactType.UNKNOWN)) {
            throw new Invalid("\"match\" needs at least one rule");
        }
        List<ActionTemplate> actions = new ArrayList<>();
        for (JsonNode action : Fields.array(node, "actions")) {
            actions.add(action(action));
        }
        List<ArtifactType.Link> links = new ArrayList<>();
        for (JsonNode link : Fields.array(node, "links")) {
            Fields.object(link, "a link");
            Fields.onlyKnown(link, Set.of("title", "url"), "a link");
            links.add(new ArtifactType.Link(Fields.required(link, "title"), Fields.webUrl(Fields.required(link, "url"), "url")));
        }
        return new ArtifactType(id, title, description, icon, rules, actions, scanner, moreInfo, links, sourceLabel);
    }

    static Rule rule(JsonNode node) throws Invalid {
        Fields.object(node, "a match rule");
        Fields.onlyKnown(node, RULE_FIELDS, "a match rule");
        List<Match> all = new ArrayList<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var field = it.next();
            JsonNode value = field.getValue();
            String key = field.getKey();
            switch (key) {
                case "artifactType" -> all.add(new Match.ArtifactTypeIs(Fields.strings(value, key)));
                case "configMediaType" -> all.add(new Match.ConfigMediaTypeIs(Fields.strings(value, key)));
                case "layerMediaType" -> all.add(new Match.LayerMediaTypeIs(Fields.strings(value, key)));
                case "manifestMediaType" -> all.add(new Match.ManifestMediaTypeIs(Fields.strings(value, key)));
                case "layerMediaTypePrefix" -> {
                    if (!value.isTextual() || value.asText().isBlank()) {
                        throw new Invalid("\"layerMediaTypePrefix\" must be a non-empty string");
                    }
                    all.add(new Match.LayerMediaTypePrefix(value.asText()));
                }
                case "annotation" -> {
                    for (JsonNode a : value.isArray() ? value : List.of(value)) {
                        all.add(annotation(a));
                    }
                }
                case "childrenHavePlatforms" -> {
                    if (!value.isBoolean() || !value.asBoolean()) {
                        throw new Invalid("\"childrenHavePlatforms\" can only be true");
                    }
                    all.add(new Match.ChildrenHavePlatforms());
                }
                default -> throw new IllegalStateException(key);
            }
        }
        if (all.isEmpty()) {
            throw new Invalid("a match rule needs at least one condition");
        }
        return new Rule(all);
    }

    private static Match annotation(JsonNode node) throws Invalid {
        Fields.object(node, "\"annotation\"");
        Fields.onlyKnown(node, Set.of("on", "key", "value"), "\"annotation\"");
        String on = Fields.optional(node, "on").orElse("manifest");
        Match.Scope scope = switch (on) {
            case "manifest" -> Match.Scope.MANIFEST;
            case "config" -> Match.Scope.CONFIG;
            case "layer" -> Match.Scope.LAYER;
            case "child" -> Match.Scope.CHILD;
            default -> throw new Invalid("annotation \"on\" must be manifest, config, layer or child: " + on);
        };
        return new Match.AnnotationIs(scope, Fields.required(node, "key"), Fields.optional(node, "value"));
    }

    private static ActionTemplate action(JsonNode node) throws Invalid {
        Fields.object(node, "an action");
        Fields.onlyKnown(node, Set.of("title", "command", "untagged"), "an action");
        try {
            return new ActionTemplate(Fields.required(node, "title"), Fields.required(node, "command"),
                    Fields.optional(node, "untagged"));
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }
}
