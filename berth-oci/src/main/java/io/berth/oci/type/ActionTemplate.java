package io.berth.oci.type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command a user can run on an artifact of a type, with placeholders:
 * <ul>
 *   <li>{@code {registry}} the registry host, {@code {repository}} the repository, {@code {name}} its last segment;</li>
 *   <li>{@code {tag}} the tag; {@code {digest}} the manifest digest ({@code sha256:…});</li>
 *   <li>{@code {reference}} the full reference, {@code registry/repository:tag}, or {@code registry/repository@digest}
 *       when there is no tag (unlike the distribution-spec's {@code <reference>}, it includes the repository);</li>
 *   <li>{@code {subject}} {@code registry/repository@digest} of the manifest this one refers to (signatures, SBOMs,
 *       attestations).</li>
 * </ul>
 * A template that needs a value the {@link Target} lacks is not offered: without a tag, {@code untagged} (a digest
 * form of the same command) is used if given, else the action is skipped; without a subject it is skipped. Anything
 * else in braces that looks like a placeholder is rejected when the type file is loaded; {@code {}} and JSON or HCL
 * braces followed by a space are plain text.
 *
 * @param untagged the command to offer instead when the target has no tag; it must not use {@code {tag}}
 */
public record ActionTemplate(String title, String command, Optional<String> untagged) {
    public static final Set<String> PLACEHOLDERS = Set.of("registry", "repository", "name", "tag", "digest",
            "reference", "subject");
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_.-]*)\\}");
    /** Templates as {@link #parsed}, by their text: as many as the type files hold. */
    private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();

    /** Refuses unknown placeholders and a {@code {tag}} in the untagged form. */
    public ActionTemplate {
        for (String name : names(command + " " + untagged.orElse(""))) {
            if (!PLACEHOLDERS.contains(name)) {
                throw new IllegalArgumentException("unknown placeholder {" + name + "} in action \"" + title + "\" (known: "
                        + String.join(", ", PLACEHOLDERS.stream().sorted().toList()) + ")");
            }
        }
        if (untagged.filter(u -> names(u).contains("tag")).isPresent()) {
            throw new IllegalArgumentException("the untagged form of action \"" + title + "\" must not use {tag}");
        }
    }

    /** A rendered action, ready to show. */
    public record Action(String title, String command) {
    }

    public static ActionTemplate of(String title, String command) {
        return new ActionTemplate(title, command, Optional.empty());
    }

    /** The placeholder names used by the command and its untagged form. */
    public Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>(names(command));
        untagged.ifPresent(u -> names.addAll(names(u)));
        return names;
    }

    /** The action for {@code target}, or empty when the target lacks a value the command needs. */
    public Optional<Action> render(Target target) {
        Parsed template = parsed(command);
        if (target.tag().isEmpty() && template.names().contains("tag")) {
            if (untagged.isEmpty()) {
                return Optional.empty();
            }
            template = parsed(untagged.get());
        }
        if (target.subject().isEmpty() && template.names().contains("subject")) {
            return Optional.empty();
        }
        List<String> parts = template.parts();
        StringBuilder out = new StringBuilder(160);
        for (int i = 0; i < parts.size(); i++) {
            if (i % 2 == 0) {
                out.append(parts.get(i));
            } else {
                append(out, parts.get(i), target);
            }
        }
        return Optional.of(new Action(title, out.toString()));
    }

    private static void append(StringBuilder out, String name, Target t) {
        switch (name) {
            case "registry" -> out.append(t.registry());
            case "repository" -> out.append(t.repository().name());
            case "name" -> out.append(t.name());
            case "tag" -> out.append(t.tag().orElseThrow().name());
            case "digest" -> out.append(t.digest());
            case "reference" -> {
                out.append(t.registry()).append('/').append(t.repository().name());
                t.tag().ifPresentOrElse(tag -> out.append(':').append(tag.name()),
                        () -> out.append('@').append(t.digest()));
            }
            case "subject" -> out.append(t.registry()).append('/').append(t.repository().name()).append('@')
                    .append(t.subject().orElseThrow());
            default -> throw new IllegalStateException(name);
        }
    }

    static Set<String> names(String template) {
        return parsed(template).names();
    }

    /** A template split at its placeholders: text, name, text, name, …, text; and the names in it. */
    private record Parsed(List<String> parts, Set<String> names) {
    }

    /** Parsed once per template: a page of the listing renders each of its types' templates a hundred times. */
    private static Parsed parsed(String template) {
        return PARSED.computeIfAbsent(template, t -> {
            List<String> parts = new ArrayList<>();
            Matcher m = PLACEHOLDER.matcher(t);
            int from = 0;
            while (m.find()) {
                parts.add(t.substring(from, m.start()));
                parts.add(m.group(1));
                from = m.end();
            }
            parts.add(t.substring(from));
            Set<String> names = new LinkedHashSet<>();
            for (int i = 1; i < parts.size(); i += 2) {
                names.add(parts.get(i));
            }
            return new Parsed(List.copyOf(parts), Collections.unmodifiableSet(names));
        });
    }
}
