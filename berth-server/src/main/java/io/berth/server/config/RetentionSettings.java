package io.berth.server.config;

import static io.berth.server.config.YamlNodes.text;
import static io.berth.server.config.YamlNodes.unknownKeys;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.retention.DeleteRule;
import io.berth.server.retention.KeepRule;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.retention.RetentionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the {@code retention} section of the YAML file, one problem per line with its path
 * ({@code retention.policies[0].keep[1].tags: …}). Type ids are checked against the type catalog when the registry
 * starts ({@link RetentionConfig#unknownTypes}).
 *
 * <pre>
 * retention:
 *   interval: 1h                          # BERTH_RETENTION_INTERVAL; 0s: only on request
 *   policies:
 *     - name: images                      # how reports name it; default policies[i]
 *       repositories: ["**"]              # globs, required
 *       types: [oci-image, oci-image-index, docker-image, docker-manifest-list]  # none = every type
 *       keep:                             # a tag one of these keeps is never deleted
 *         - latest: 10                    # the 10 most recently pushed tags
 *         - tags: '^v?\d+\.\d+\.\d+$'     # a regular expression found in the tag
 *         - pulledWithin: 30d
 *         - pushedWithin: 7d
 *       delete:                           # none: every tag not kept goes
 *         - tags: '^pr-'
 *           olderThan: 14d
 *         - notPulledFor: 90d
 *         - untagged: 7d                  # untagged manifests pushed longer ago
 * </pre>
 */
final class RetentionSettings {
    private static final int MAX_REGEX_LENGTH = 256;
    private static final Set<String> SECTION_KEYS = Set.of("interval", "policies");
    private static final Set<String> POLICY_KEYS = Set.of("name", "repositories", "types", "delete", "keep");
    private static final Set<String> DELETE_KEYS = Set.of("tags", "types", "olderThan", "notPulledFor", "untagged");
    private static final Set<String> KEEP_KEYS = Set.of("tags", "types", "latest", "pushedWithin", "pulledWithin");

    private RetentionSettings() {
    }

    /** The {@code retention} section ({@code null} when absent) with {@code interval} as the layers resolved it. */
    static RetentionConfig retention(JsonNode section, Duration interval, List<String> problems) {
        List<RetentionPolicy> policies = new ArrayList<>();
        if (section != null && !section.isNull()) {
            if (!section.isObject()) {
                problems.add("retention must be a mapping of " + sorted(SECTION_KEYS));
                return RetentionConfig.NONE;
            }
            unknownKeys(section, SECTION_KEYS, "retention", problems);
            JsonNode list = section.path("policies");
            if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
                problems.add("retention.policies must be a list of policies");
            }
            for (int i = 0; list.isArray() && i < list.size(); i++) {
                policy(list.get(i), "retention.policies[" + i + "]", "policies[" + i + "]", problems)
                        .ifPresent(policies::add);
            }
        }
        try {
            return new RetentionConfig(interval, policies);
        } catch (io.berth.server.startup.ConfigException e) {
            problems.addAll(e.problems());
            return RetentionConfig.NONE;
        }
    }

    private static Optional<RetentionPolicy> policy(JsonNode node, String path, String defaultName, List<String> problems) {
        if (!node.isObject()) {
            problems.add(path + " must be a mapping of " + sorted(POLICY_KEYS));
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(node, POLICY_KEYS, path, problems);
        String name = text(node, "name").orElse(defaultName);
        List<RepositoryGlob> repositories = new ArrayList<>();
        for (String glob : strings(node, "repositories", path, problems)) {
            try {
                repositories.add(RepositoryGlob.of(glob));
            } catch (IllegalArgumentException e) {
                problems.add(path + ".repositories: " + e.getMessage());
            }
        }
        Set<String> types = typeIds(node, path, problems);
        List<DeleteRule> delete = new ArrayList<>();
        List<KeepRule> keep = new ArrayList<>();
        List<JsonNode> deleteRules = rules(node, "delete", path, problems);
        for (int i = 0; i < deleteRules.size(); i++) {
            deleteRule(deleteRules.get(i), path, "delete[" + i + "]", problems).ifPresent(delete::add);
        }
        List<JsonNode> keepRules = rules(node, "keep", path, problems);
        for (int i = 0; i < keepRules.size(); i++) {
            keepRule(keepRules.get(i), path, "keep[" + i + "]", problems).ifPresent(keep::add);
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RetentionPolicy(name, repositories, types, delete, keep));
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<JsonNode> rules(JsonNode node, String key, String path, List<String> problems) {
        JsonNode value = node.get(key);
        List<JsonNode> rules = new ArrayList<>();
        if (value == null || value.isNull()) {
            return rules;
        }
        if (!value.isArray()) {
            problems.add(path + "." + key + " must be a list of rules");
            return rules;
        }
        value.forEach(rules::add);
        return rules;
    }

    private static Optional<DeleteRule> deleteRule(JsonNode node, String policyPath, String id, List<String> problems) {
        String path = policyPath + "." + id;
        if (!node.isObject()) {
            problems.add(path + " must be a mapping of " + sorted(DELETE_KEYS));
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(node, DELETE_KEYS, path, problems);
        Optional<Pattern> tags = regex(node, path, problems);
        Set<String> types = typeIds(node, path, problems);
        Optional<Duration> olderThan = duration(node, "olderThan", path, problems);
        Optional<Duration> notPulledFor = duration(node, "notPulledFor", path, problems);
        Optional<Duration> untagged = duration(node, "untagged", path, problems);
        if (problems.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DeleteRule(id, tags, types, olderThan, notPulledFor, untagged));
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<KeepRule> keepRule(JsonNode node, String policyPath, String id, List<String> problems) {
        String path = policyPath + "." + id;
        if (!node.isObject()) {
            problems.add(path + " must be a mapping of " + sorted(KEEP_KEYS));
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(node, KEEP_KEYS, path, problems);
        Optional<Pattern> tags = regex(node, path, problems);
        Set<String> types = typeIds(node, path, problems);
        OptionalInt latest = OptionalInt.empty();
        Optional<String> latestText = text(node, "latest");
        if (latestText.isPresent()) {
            try {
                int n = Integer.parseInt(latestText.get().trim());
                if (n < 1) {
                    problems.add(path + ".latest must be a whole number of 1 or more, was " + n);
                } else {
                    latest = OptionalInt.of(n);
                }
            } catch (NumberFormatException e) {
                problems.add(path + ".latest must be a whole number of 1 or more, was '" + latestText.get() + "'");
            }
        }
        Optional<Duration> pushedWithin = duration(node, "pushedWithin", path, problems);
        Optional<Duration> pulledWithin = duration(node, "pulledWithin", path, problems);
        if (problems.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new KeepRule(id, tags, types, latest, pushedWithin, pulledWithin));
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Pattern> regex(JsonNode node, String path, List<String> problems) {
        return text(node, "tags").flatMap(value -> {
            if (value.length() > MAX_REGEX_LENGTH) {
                // A tag has at most 128 characters; a longer expression is a mistake, and deep nesting could
                // overflow the stack of the regex compiler.
                problems.add(path + ".tags must be a regular expression of at most " + MAX_REGEX_LENGTH
                        + " characters, was " + value.length());
                return Optional.empty();
            }
            try {
                return Optional.of(Pattern.compile(value));
            } catch (PatternSyntaxException e) {
                problems.add(path + ".tags is not a regular expression: " + e.getDescription()
                        + (e.getIndex() >= 0 ? " at index " + e.getIndex() : "") + " in '" + value + "'");
                return Optional.empty();
            }
        });
    }

    /** Catalog type ids: kebab-case words; whether the catalog knows them is checked at start. */
    private static Set<String> typeIds(JsonNode node, String path, List<String> problems) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : strings(node, "types", path, problems)) {
            if (id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                ids.add(id);
            } else {
                problems.add(path + ".types: '" + id + "' is no type id (kebab-case, as in oci-image or helm-chart;"
                        + " GET /api/v1/types lists them)");
            }
        }
        return ids;
    }

    private static Optional<Duration> duration(JsonNode node, String key, String path, List<String> problems) {
        return text(node, key).flatMap(value -> {
            Optional<Duration> parsed = ConfigLoader.parseDuration(value);
            if (parsed.isEmpty()) {
                problems.add(path + "." + key + " must be a duration such as 12h, 7d or 90d, was '" + value + "'");
            }
            return parsed;
        });
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }

    /** A list of strings; a single string counts as a list of one. */
    private static List<String> strings(JsonNode node, String key, String path, List<String> problems) {
        JsonNode value = node.get(key);
        List<String> values = new ArrayList<>();
        if (value == null || value.isNull()) {
            return values;
        }
        if (value.isValueNode()) {
            values.add(value.asText());
        } else if (value.isArray() && java.util.stream.StreamSupport.stream(value.spliterator(), false)
                .allMatch(JsonNode::isValueNode)) {
            value.forEach(item -> values.add(item.asText()));
        } else {
            problems.add(path + "." + key + " must be a list of strings");
        }
        return values;
    }
}
