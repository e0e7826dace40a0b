package io.berth.server.event;

import java.util.Locale;
import java.util.Optional;

/** What happened to an artifact, as endpoint filters and Distribution's {@code action} field name it. */
public enum Action {
    /** A manifest was pushed (by digest, or by tag: then the tag moved to it). */
    PUSH("pushed"),
    /** A manifest was pulled; recorded only when {@code events.pull} is on. */
    PULL("pulled"),
    /** A manifest, a tag or a blob was deleted. */
    DELETE("deleted");

    private final String pastTense;

    Action(String pastTense) {
        this.pastTense = pastTense;
    }

    /** {@code push}, {@code pull} or {@code delete}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code pushed}, {@code pulled} or {@code deleted}: the last word of a CloudEvents type. */
    public String pastTense() {
        return pastTense;
    }

    public static Optional<Action> fromId(String id) {
        for (Action action : values()) {
            if (action.id().equals(id)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
