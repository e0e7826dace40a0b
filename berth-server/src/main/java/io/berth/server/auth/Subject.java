package io.berth.server.auth;

import java.util.Set;

/**
 * Who is asking: a user of the htpasswd file, a robot account, the subject of a token from a trusted external
 * issuer, or nobody ({@link #ANONYMOUS}).
 *
 * @param name   the user name; {@code robot$<name>} for robots; empty for anonymous
 * @param kind   where the identity comes from
 * @param groups the groups the configuration puts the user in
 */
public record Subject(String name, Kind kind, Set<String> groups) {
    public static final Subject ANONYMOUS = new Subject("", Kind.ANONYMOUS, Set.of());
    /** The prefix of a robot account's user name: robot {@code ci} logs in as {@code robot$ci}. */
    public static final String ROBOT_PREFIX = "robot$";

    public enum Kind { ANONYMOUS, USER, ROBOT, EXTERNAL }

    public Subject {
        groups = Set.copyOf(groups);
    }

    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** The name for logs and audit: the user name, or {@code anonymous}. */
    public String display() {
        return isAnonymous() ? "anonymous" : name;
    }
}
