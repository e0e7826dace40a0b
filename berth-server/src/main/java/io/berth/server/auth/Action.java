package io.berth.server.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What a caller may do to a repository, as named in token scopes and access policies. */
public enum Action {
    PULL, PUSH, DELETE;

    /** The name used in scopes, tokens and configuration: {@code pull}, {@code push}, {@code delete}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The actions a name stands for: one action, every action for {@code *}, none for a name this registry does not
     * know (scopes may carry actions of other registries; they are ignored, never granted).
     */
    public static Set<Action> parse(String name) {
        String trimmed = name.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("*")) {
            return EnumSet.allOf(Action.class);
        }
        return named(trimmed).map(EnumSet::of).orElseGet(() -> EnumSet.noneOf(Action.class));
    }

    /** The action with this name, if it is one; {@code *} is not a single action. */
    public static Optional<Action> named(String name) {
        for (Action action : values()) {
            if (action.wire().equals(name)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
