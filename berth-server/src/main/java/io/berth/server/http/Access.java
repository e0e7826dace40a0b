package io.berth.server.http;

import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import io.berth.server.auth.Action;
import io.berth.server.auth.Scope;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a {@link Route} needs before its handler runs, as data. The {@link Router} turns it into the {@link Scope}s it
 * asks the access controller for; handlers never ask themselves.
 *
 * @param kind    whose rules apply
 * @param actions the actions on the repository, for {@link Kind#REPOSITORY} and {@link Kind#REPOSITORY_PARAMETER}
 */
public record Access(Kind kind, Set<Action> actions) {
    /** Whose rules apply. */
    public enum Kind {
        /** Anyone, unchecked: health, the token endpoint and its keys, the type catalog and icons, the UI's files. */
        PUBLIC,
        /** Any identity the registry accepts, anonymous never: the version check {@code /v2/} that clients log in with. */
        IDENTITY,
        /** Lists of repositories: anyone who may list ({@code registry:catalog:*}); what is listed is what they may pull. */
        CATALOG,
        /** The registry's operators ({@code registry:admin:*}): scanner and event delivery status. */
        ADMIN,
        /** Scraping {@code /metrics} ({@code registry:metrics:*}): the operators, and robots made for scraping. */
        METRICS,
        /** The actions on the repository named in the path ({@code /v2/<name>/…}). */
        REPOSITORY,
        /** The actions on the repository named by the {@code repository} query parameter ({@code /api/v1/…}). */
        REPOSITORY_PARAMETER
    }

    public static final Access PUBLIC = new Access(Kind.PUBLIC, Set.of());
    public static final Access IDENTITY = new Access(Kind.IDENTITY, Set.of());
    public static final Access CATALOG = new Access(Kind.CATALOG, Set.of());
    public static final Access ADMIN = new Access(Kind.ADMIN, Set.of());
    public static final Access METRICS = new Access(Kind.METRICS, Set.of());

    public Access {
        Objects.requireNonNull(kind, "kind");
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
        boolean onRepository = kind == Kind.REPOSITORY || kind == Kind.REPOSITORY_PARAMETER;
        if (onRepository == actions.isEmpty()) {
            throw new IllegalArgumentException(kind + (onRepository ? " needs actions" : " takes no actions"));
        }
    }

    /** The actions on the repository of the path. */
    public static Access repository(Action first, Action... more) {
        return new Access(Kind.REPOSITORY, EnumSet.of(first, more));
    }

    /** The actions on the repository of the {@code repository} query parameter. */
    public static Access repositoryParameter(Action first, Action... more) {
        return new Access(Kind.REPOSITORY_PARAMETER, EnumSet.of(first, more));
    }

    public boolean isPublic() {
        return kind == Kind.PUBLIC;
    }

    /**
     * The scopes a request needs. A repository name is validated here, before any check (400 {@code NAME_INVALID}),
     * and so is a missing {@code repository} parameter.
     */
    List<Scope> scopes(PathVariables path, Function<String, Optional<String>> query) {
        return switch (kind) {
            case PUBLIC, IDENTITY -> List.of();
            case CATALOG -> List.of(Scope.CATALOG);
            case ADMIN -> List.of(Scope.ADMIN);
            case METRICS -> List.of(Scope.METRICS);
            case REPOSITORY -> List.of(Scope.repository(Repository.of(path.get("name")), actions));
            case REPOSITORY_PARAMETER -> List.of(Scope.repository(Repository.of(query.apply("repository")
                    .orElseThrow(() -> ErrorCode.NAME_INVALID.exception("the repository parameter is required"))), actions));
        };
    }

    /** As the docs write it: {@code public}, {@code repository [pull, push]}. */
    @Override
    public String toString() {
        String name = kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return actions.isEmpty() ? name : name + " " + actions.stream().sorted().map(Action::wire).toList();
    }
}
