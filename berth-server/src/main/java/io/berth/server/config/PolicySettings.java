package io.berth.server.config;

import static io.berth.server.config.YamlNodes.unknownKeys;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.immutability.ImmutabilityConfig;
import io.berth.server.immutability.ImmutabilityRule;
import io.berth.server.meta.ByteSize;
import io.berth.server.meta.Quota;
import io.berth.server.quota.QuotaRule;
import io.berth.server.quota.QuotasConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the {@code immutability} and {@code quotas} sections of the YAML file (see {@link ImmutabilityConfig} and
 * {@link QuotasConfig} for their shape), reporting each problem on one line that names its key
 * ({@code quotas[1].bytes: …}). A rule with a problem is left out; the problems stop the start anyway.
 */
final class PolicySettings {
    private static final Set<String> IMMUTABILITY_KEYS = Set.of("rules");
    private static final Set<String> RULE_KEYS = Set.of("repositories", "tags", "types");
    private static final Set<String> QUOTA_KEYS = Set.of("repositories", "namespaces", "bytes", "manifests");
    /** What a repository pattern may hold besides {@code *} and {@code ?}: the characters of repository names. */
    private static final Pattern GLOB_TEXT = Pattern.compile("[a-z0-9._/-]*");
    private static final String SIZE_HELP = "write bytes or a number with a unit: 500MiB, 10GiB, 1TB";

    private PolicySettings() {
    }

    /**
     * The {@code immutability} section ({@code null} when absent); {@code knownType} says whether a type id is in
     * the catalog the registry starts with.
     */
    static ImmutabilityConfig immutability(JsonNode section, Predicate<String> knownType, List<String> problems) {
        if (section == null || section.isNull()) {
            return ImmutabilityConfig.NONE;
        }
        if (!section.isObject()) {
            problems.add("immutability must be a mapping with rules: [...]");
            return ImmutabilityConfig.NONE;
        }
        unknownKeys(section, IMMUTABILITY_KEYS, "immutability", problems);
        JsonNode list = section.path("rules");
        if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
            problems.add("immutability.rules must be a list of rules (repositories, tags, types)");
            return ImmutabilityConfig.NONE;
        }
        List<ImmutabilityRule> rules = new ArrayList<>();
        for (int i = 0; list.isArray() && i < list.size(); i++) {
            immutabilityRule(list.get(i), i, knownType, problems).ifPresent(rules::add);
        }
        return new ImmutabilityConfig(rules);
    }

    private static Optional<ImmutabilityRule> immutabilityRule(JsonNode node, int index, Predicate<String> knownType,
                                                               List<String> problems) {
        String path = "immutability.rules[" + index + "]";
        if (!node.isObject()) {
            problems.add(path + " must be a mapping (repositories, tags, types)");
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(node, RULE_KEYS, path, problems);
        List<RepositoryGlob> repositories = globs(node, "repositories", path, problems);
        Optional<Pattern> tags = Optional.empty();
        JsonNode tagsNode = node.get("tags");
        if (tagsNode != null && !tagsNode.isNull()) {
            if (!tagsNode.isValueNode() || tagsNode.asText().isEmpty()) {
                problems.add(path + ".tags must be a regular expression, e.g. '^v\\d+\\.'");
            } else {
                try {
                    tags = Optional.of(Pattern.compile(tagsNode.asText()));
                } catch (PatternSyntaxException e) {
                    problems.add(path + ".tags: '" + shown(tagsNode.asText()) + "' is no regular expression ("
                            + e.getDescription() + " at index " + e.getIndex() + ")");
                }
            }
        }
        Set<String> types = new LinkedHashSet<>();
        for (String id : strings(node, "types", path, problems)) {
            if (knownType.test(id)) {
                types.add(id);
            } else {
                problems.add(path + ".types: unknown type id '" + shown(id) + "'; use an id of the type catalog"
                        + " (GET /api/v1/types), e.g. oci-image, helm-chart");
            }
        }
        if (repositories.isEmpty() && problems.size() == before) {
            problems.add(path + ".repositories is required: the repositories whose tags are immutable, e.g. [\"team/**\"]");
        }
        return problems.size() > before ? Optional.empty()
                : Optional.of(new ImmutabilityRule(index, repositories, tags, types));
    }

    /** The {@code quotas} section ({@code null} when absent). */
    static QuotasConfig quotas(JsonNode section, List<String> problems) {
        if (section == null || section.isNull()) {
            return QuotasConfig.NONE;
        }
        if (!section.isArray()) {
            problems.add("quotas must be a list of quotas (repositories or namespaces, bytes, manifests)");
            return QuotasConfig.NONE;
        }
        List<QuotaRule> rules = new ArrayList<>();
        for (int i = 0; i < section.size(); i++) {
            quota(section.get(i), i, problems).ifPresent(rules::add);
        }
        return new QuotasConfig(rules);
    }

    private static Optional<QuotaRule> quota(JsonNode node, int index, List<String> problems) {
        String path = "quotas[" + index + "]";
        if (!node.isObject()) {
            problems.add(path + " must be a mapping (repositories or namespaces, bytes, manifests)");
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(node, QUOTA_KEYS, path, problems);
        boolean byRepository = node.has("repositories");
        boolean byNamespace = node.has("namespaces");
        if (byRepository == byNamespace) {
            problems.add(path + " needs either repositories (a limit for each matching repository) or namespaces"
                    + " (a limit for each matching namespace, its repositories together), not " + (byRepository ? "both" : "neither"));
            return Optional.empty();
        }
        Quota.Scope.Kind kind = byRepository ? Quota.Scope.Kind.REPOSITORY : Quota.Scope.Kind.NAMESPACE;
        List<RepositoryGlob> globs = globs(node, byRepository ? "repositories" : "namespaces", path, problems);
        if (byNamespace) {
            for (RepositoryGlob glob : globs) {
                if (glob.glob().contains("/")) {
                    problems.add(path + ".namespaces: '" + glob.glob() + "' holds a '/'; a namespace is the first"
                            + " path segment of repository names (team of team/app), or a pattern of them like team-*");
                }
            }
        }
        OptionalLong bytes = size(path + ".bytes", node.get("bytes"), problems);
        OptionalLong manifests = count(path + ".manifests", node.get("manifests"), problems);
        if (bytes.isEmpty() && manifests.isEmpty() && problems.size() == before) {
            problems.add(path + " needs bytes (e.g. 10GiB) or manifests (a number), or both");
        }
        if (globs.isEmpty() && problems.size() == before) {
            problems.add(path + "." + (byRepository ? "repositories" : "namespaces") + " must name at least one pattern");
        }
        return problems.size() > before ? Optional.empty()
                : Optional.of(new QuotaRule(index, kind, globs, bytes, manifests));
    }

    private static OptionalLong size(String key, JsonNode value, List<String> problems) {
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        Optional<ByteSize> size = value.isValueNode() ? ByteSize.parse(value.asText()) : Optional.empty();
        if (size.isEmpty()) {
            problems.add(key + ": '" + shown(value.asText()) + "' is no size; " + SIZE_HELP);
            return OptionalLong.empty();
        }
        return OptionalLong.of(size.get().bytes());
    }

    private static OptionalLong count(String key, JsonNode value, List<String> problems) {
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            problems.add(key + " must be a whole number of manifests, 0 or more, was '" + shown(value.asText()) + "'");
            return OptionalLong.empty();
        }
        return OptionalLong.of(value.asLong());
    }

    /** Repository patterns: a list, or one pattern. */
    private static List<RepositoryGlob> globs(JsonNode node, String key, String path, List<String> problems) {
        List<RepositoryGlob> globs = new ArrayList<>();
        for (String text : strings(node, key, path, problems)) {
            if (text.isBlank() || !GLOB_TEXT.matcher(text.replace("*", "").replace("?", "")).matches()) {
                problems.add(path + "." + key + ": '" + shown(text) + "' is no repository pattern; use lower-case names"
                        + " with * (within a segment), ** (across segments) and ?, e.g. team/**");
                continue;
            }
            globs.add(RepositoryGlob.of(text));
        }
        return globs;
    }

    /** A value as a problem line shows it: on one line, control characters escaped. */
    private static String shown(String value) {
        StringBuilder text = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                text.append(String.format("\\u%04x", c));
            } else {
                text.appendCodePoint(c);
            }
        });
        return text.toString();
    }

    /** {@link YamlNodes#strings}, where an empty list is a problem too. */
    private static List<String> strings(JsonNode node, String key, String path, List<String> problems) {
        JsonNode value = node.get(key);
        if (value != null && value.isArray() && value.isEmpty()) {
            problems.add(path + "." + key + " must be a list of strings");
            return new ArrayList<>();
        }
        return YamlNodes.strings(node, key, path, problems);
    }
}
