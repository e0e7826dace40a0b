package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks {@link Quota}s on a connection, inside the transaction that adds the content (or, for the early checks
 * before an upload's bytes arrive, on their own, advisory only).
 *
 * <p>How content is counted: a scope's bytes are the sizes of the unique blobs linked into its repositories — pushed
 * or mounted there, referenced by a manifest or not yet — each blob once per scope: a layer shared by two
 * repositories counts fully in each repository's quota and once in their namespace's. Its manifests are the
 * manifest rows of its repositories (an index and its platform manifests count one each; tags count nothing).
 *
 * <p>Why the check is exact under concurrency: the transaction first locks one row per scope in {@code quota_locks}
 * ({@code FOR UPDATE} on PostgreSQL; SQLite runs write transactions one at a time anyway), then measures and writes.
 * Two transactions adding to the same scope thus run one after the other, and the second measures what the first
 * committed (each statement reads what was committed when it starts). Every adder takes its locks in one order —
 * the repository's row (made if new), the scope rows in key order, then blob and link rows — so adders never wait
 * for each other in a cycle; garbage collection never locks scope rows.
 */
final class QuotaCheck {
    private final Dialect dialect;

    QuotaCheck(Dialect dialect) {
        this.dialect = dialect;
    }

    /** Serializes the transactions that add to these quotas' scopes until this one ends. */
    void lock(Connection connection, List<Quota> quotas) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            return;
        }
        for (Quota.Scope scope : quotas.stream().map(Quota::scope).sorted().toList()) {
            sql(connection, "INSERT INTO quota_locks (scope_key) VALUES (?) ON CONFLICT (scope_key) DO NOTHING",
                    scope.lockKey()).update();
            sql(connection, "SELECT 1 FROM quota_locks WHERE scope_key = ?" + dialect.updateLock(), scope.lockKey())
                    .exists();
        }
    }

    /**
     * Throws {@link QuotaExceededException} when linking the blob (of {@code size} bytes) into {@code repository} would
     * take one of {@code quotas} past its bytes: a blob the scope holds already adds nothing.
     */
    void admitBlob(Connection connection, Repository repository, List<Quota> quotas, Digest digest, long size)
            throws SQLException {
        for (Quota quota : quotas) {
            if (quota.maxBytes().isEmpty() || holds(connection, quota.scope(), digest)) {
                continue;
            }
            long max = quota.maxBytes().getAsLong();
            long used = bytes(connection, quota.scope());
            if (used + size > max) {
                throw new QuotaExceededException("quota exceeded for " + quota.scope() + ": " + ByteSize.human(used)
                        + " of " + ByteSize.human(max) + " stored (" + quota.rule() + "); blob " + digest + " adds "
                        + ByteSize.human(size) + (repository.name().equals(quota.scope().name()) ? ""
                        : " in repository " + repository));
            }
        }
    }

    /**
     * Throws {@link QuotaExceededException} when a new manifest may not be stored: a scope would hold more manifests
     * than its quota, or holds more bytes than its quota already (possible after a limit was lowered, or with blobs
     * pushed before the quota was configured).
     */
    void admitManifest(Connection connection, List<Quota> quotas) throws SQLException {
        for (Quota quota : quotas) {
            if (quota.maxManifests().isPresent()) {
                long max = quota.maxManifests().getAsLong();
                long stored = manifests(connection, quota.scope());
                if (stored + 1 > max) {
                    throw new QuotaExceededException("quota exceeded for " + quota.scope() + ": " + stored + " of "
                            + max + " manifests stored (" + quota.rule() + "); this manifest would be one more");
                }
            }
            if (quota.maxBytes().isPresent()) {
                long max = quota.maxBytes().getAsLong();
                long used = bytes(connection, quota.scope());
                if (used > max) {
                    throw new QuotaExceededException("quota exceeded for " + quota.scope() + ": "
                            + ByteSize.human(used) + " of " + ByteSize.human(max) + " stored (" + quota.rule()
                            + "); no new manifests until content is deleted");
                }
            }
        }
    }

    /** What the scope holds now. */
    Usage usage(Connection connection, Quota.Scope scope) throws SQLException {
        return new Usage(bytes(connection, scope), manifests(connection, scope));
    }

    record Usage(long bytes, long manifests) {
    }

    private boolean holds(Connection connection, Quota.Scope scope, Digest digest) throws SQLException {
        return sql(connection, "SELECT 1 FROM repository_blobs l JOIN repositories r ON r.id = l.repository_id"
                + " WHERE l.digest = ? AND " + Condition.of(scope).sql, parameters(List.of(digest), scope)).exists();
    }

    private long bytes(Connection connection, Quota.Scope scope) throws SQLException {
        return sql(connection, "SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.digest IN (SELECT l.digest"
                + " FROM repository_blobs l JOIN repositories r ON r.id = l.repository_id WHERE "
                + Condition.of(scope).sql + ")", parameters(List.of(), scope)).first(row -> row.getLong(1)).orElse(0L);
    }

    private long manifests(Connection connection, Quota.Scope scope) throws SQLException {
        return sql(connection, "SELECT COUNT(*) FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE "
                + Condition.of(scope).sql, parameters(List.of(), scope)).first(row -> row.getLong(1)).orElse(0L);
    }

    private static Object[] parameters(List<Object> first, Quota.Scope scope) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(Condition.of(scope).parameters);
        return all.toArray();
    }

    /**
     * The repositories of a scope, as a condition on {@code repositories r}. A namespace is a range of names in byte
     * order ({@code team/} up to {@code team0}, '0' following '/'), which the unique index on the name serves, and
     * needs no LIKE (whose {@code _} would be a wildcard in names such as {@code my_team}).
     */
    private record Condition(String sql, List<Object> parameters) {
        static Condition of(Quota.Scope scope) {
            return scope.kind() == Quota.Scope.Kind.REPOSITORY
                    ? new Condition("r.name = ?", List.of(scope.name()))
                    : new Condition("(r.name = ? OR (r.name >= ? AND r.name < ?))",
                    List.of(scope.name(), scope.name() + "/", scope.name() + "0"));
        }
    }
}
