package io.berth.oci.type;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One kind of artifact the registry recognizes: what to call it, how to draw it, how to detect it, what users can do
 * with it and how a scanner should treat it. Built-in types come from {@code builtin-types.json}; files can add or
 * replace types by {@link #id}.
 *
 * @param id     stable kebab-case identifier, e.g. {@code helm-chart}; stored with manifests and used in URLs
 * @param rules  any one of them matching types a manifest; empty for {@code unknown}
 * @param links  further links, e.g. where to get the tools ({@code tools[]} of a {@code mediaTypeMappings.json} entry)
 * @param source {@code "built-in"}, or the file the type (or its last extension) came from
 */
public record ArtifactType(String id, String title, String description, Icon icon, List<Rule> rules,
                           List<ActionTemplate> actions, ScannerCategory scanner, Optional<URI> moreInfo,
                           List<Link> links, String source) {
    public static final String UNKNOWN = "unknown";
    public static final String BUILT_IN = "built-in";

    public ArtifactType {
        rules = List.copyOf(rules);
        actions = List.copyOf(actions);
        links = List.copyOf(links);
    }

    /** A titled link ({@code http} or {@code https}). */
    public record Link(String title, URI url) {
    }

    /** The actions that apply to {@code target}, rendered; see {@link ActionTemplate#render}. */
    public List<ActionTemplate.Action> actionsFor(Target target) {
        List<ActionTemplate.Action> rendered = new ArrayList<>(actions.size());
        for (ActionTemplate action : actions) {
            action.render(target).ifPresent(rendered::add);
        }
        return rendered;
    }
}
