package io.berth.server.meta;

import java.util.OptionalLong;

/**
 * A limit on what one repository, or one namespace (every repository whose name starts with its first path
 * segment), may hold: bytes of unique blobs linked into it and number of manifests.
 *
 * @param scope        what is limited
 * @param rule         the configuration entry it comes from, for messages ({@code quotas[1]})
 * @param maxBytes     the most bytes of unique blobs; empty: no limit
 * @param maxManifests the most manifests; empty: no limit
 */
public record Quota(Scope scope, String rule, OptionalLong maxBytes, OptionalLong maxManifests) {

    /** A repository, or a namespace by its name (the first path segment of its repositories' names). */
    public record Scope(Kind kind, String name) implements Comparable<Scope> {
        public enum Kind {
            REPOSITORY, NAMESPACE;

            public String id() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        /** The key of the row that serializes quota checks of this scope (see {@code quota_locks}). */
        String lockKey() {
            return kind.id() + ":" + name;
        }

        @Override
        public int compareTo(Scope other) {
            return lockKey().compareTo(other.lockKey());
        }

        @Override
        public String toString() {
            return kind.id() + " " + name;
        }
    }
}
