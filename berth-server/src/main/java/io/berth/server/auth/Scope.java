package io.berth.server.auth;

import io.berth.oci.Repository;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A resource and actions on it, as in the Docker registry token specification: {@code repository:samples/app:pull,push}
 * or {@code registry:catalog:*}. Requests need scopes, tokens carry granted scopes.
 *
 * @param type    {@code repository} or {@code registry}
 * @param name    a repository name, or {@code catalog}
 * @param actions the actions; for the catalog the set is empty and stands for {@code *}
 */
public record Scope(String type, String name, Set<Action> actions) {
    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    /** Listing the repositories ({@code GET /v2/_catalog}); what is listed is then filtered per repository. */
    public static final Scope CATALOG = new Scope(REGISTRY, "catalog", Set.of());
    /** Operating the registry: the scanners' and event deliveries' status ({@code registry:admin:*}). */
    public static final Scope ADMIN = new Scope(REGISTRY, "admin", Set.of());
    /** Scraping the registry's metrics ({@code registry:metrics:*}): admins, and robots configured with {@code metrics: true}. */
    public static final Scope METRICS = new Scope(REGISTRY, "metrics", Set.of());
    /** Longer than any scope with a valid repository name and every action spelled out. */
    private static final int MAX_TEXT = REPOSITORY.length() + Repository.MAX_LENGTH + 64;

    public Scope {
        actions = Collections.unmodifiableSet(actions.isEmpty() ? EnumSet.noneOf(Action.class) : EnumSet.copyOf(actions));
    }

    public static Scope repository(Repository repository, Set<Action> actions) {
        return new Scope(REPOSITORY, repository.name(), actions);
    }

    public boolean isCatalog() {
        return type.equals(REGISTRY) && name.equals("catalog");
    }

    public boolean isAdmin() {
        return type.equals(REGISTRY) && name.equals("admin");
    }

    public boolean isMetrics() {
        return type.equals(REGISTRY) && name.equals("metrics");
    }

    /** A registry-wide scope ({@link #CATALOG}, {@link #ADMIN}, {@link #METRICS}), whose actions are {@code *}. */
    public boolean isRegistry() {
        return type.equals(REGISTRY);
    }

    public boolean isRepository() {
        return type.equals(REPOSITORY);
    }

    /** The same resource with only {@code granted} of its actions. */
    public Scope narrowedTo(Set<Action> granted) {
        Set<Action> kept = EnumSet.noneOf(Action.class);
        kept.addAll(actions);
        kept.retainAll(granted);
        return new Scope(type, name, kept);
    }

    /** The actions as the token specification writes them: {@code pull,push}, {@code *} for the catalog. */
    public String actionList() {
        if (isRegistry()) {
            return "*";
        }
        return actions.stream().map(Action::wire).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return type + ":" + name + ":" + actionList();
    }

    /**
     * The scopes of a token request's {@code scope} parameters (several parameters, or several scopes separated by
     * spaces in one). Malformed scopes, unknown resource types and invalid repository names are left out: they can
     * never be granted. A repository name may hold a {@code :} (a registry host with a port), so the type ends at the
     * first colon and the actions start after the last. Never throws: any text (null, undecoded {@code %zz},
     * control characters, huge strings) is at worst left out.
     */
    public static List<Scope> parseAll(List<String> parameters) {
        List<Scope> scopes = new ArrayList<>();
        if (parameters == null) {
            return scopes;
        }
        for (String parameter : parameters) {
            if (parameter == null) {
                continue;
            }
            for (String text : parameter.trim().split("\\s+")) {
                parse(text).ifPresent(scopes::add);
            }
        }
        return scopes;
    }

    /** One scope, or empty when it is malformed or names nothing grantable; never throws. */
    public static Optional<Scope> parse(String text) {
        if (text == null || text.length() > MAX_TEXT) {
            return Optional.empty();
        }
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last <= first) {
            return Optional.empty();
        }
        String type = text.substring(0, first);
        String name = text.substring(first + 1, last);
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String action : text.substring(last + 1).split(",")) {
            actions.addAll(Action.parse(action));
        }
        if (type.equals(REGISTRY) && name.equals("catalog")) {
            return Optional.of(CATALOG);
        }
        if (type.equals(REGISTRY) && name.equals("admin")) {
            return Optional.of(ADMIN);
        }
        if (type.equals(REGISTRY) && name.equals("metrics")) {
            return Optional.of(METRICS);
        }
        if (!type.equals(REPOSITORY) || !Repository.isValid(name)) {
            return Optional.empty();
        }
        return Optional.of(new Scope(type, name, actions));
    }
}
