package io.berth.oci;

import java.util.regex.Pattern;

/** A repository name, validated against the distribution-spec's {@code <name>} grammar. */
public record Repository(String name) implements Comparable<Repository> {
    /**
     * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*} from the spec: the definition;
     * names are checked by {@link Grammar#isRepositoryName}, a loop held to it by a test.
     */
    public static final Pattern GRAMMAR = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    /** Many clients limit the name including the host to 255 characters; so do we. */
    public static final int MAX_LENGTH = 255;

    public Repository {
        if (!isValid(name)) {
            throw ErrorCode.NAME_INVALID.exception("invalid repository name: " + name);
        }
    }

    /** Whether {@code name} is a repository name: the spec's grammar ({@link #GRAMMAR}) and at most {@link #MAX_LENGTH}. */
    public static boolean isValid(String name) {
        return name != null && name.length() <= MAX_LENGTH && Grammar.isRepositoryName(name);
    }

    public static Repository of(String name) {
        return new Repository(name);
    }

    @Override
    public int compareTo(Repository o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
