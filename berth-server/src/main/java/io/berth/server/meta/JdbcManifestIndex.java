package io.berth.server.meta;

import static io.berth.server.meta.ManifestRows.MANIFEST_COLUMNS;
import static io.berth.server.meta.ManifestRows.REFERRER_COLUMNS;
import static io.berth.server.meta.RepositoryRows.ID_OF_NAME;
import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@link ManifestIndex} over the {@code manifests}, {@code manifest_blobs}, {@code manifest_children} and
 * {@code tags} tables. Paging is by key ({@code > last}), so every page is an index range scan. Every write tells its
 * {@link ChangeListener} what it changed, inside its transaction.
 */
public final class JdbcManifestIndex implements ManifestIndex {
    /** A condition on {@code repositories r}: it holds a manifest or a blob link. */
    private static final String HOLDS_CONTENT = """
            (EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)
             OR EXISTS (SELECT 1 FROM repository_blobs l WHERE l.repository_id = r.id))""";

    private final Database database;
    private final Clock clock;
    private final ChangeListener listener;
    private final ImmutableTags immutableTags;
    private final Quotas quotas;
    private final QuotaCheck quotaCheck;

    /**
     * @param immutableTags the tags that may neither move nor go, checked in every transaction that moves or deletes
     *                      tags or manifests
     * @param quotas        checked in the transaction that stores a new manifest
     */
    public JdbcManifestIndex(Database database, Clock clock, ChangeListener listener, ImmutableTags immutableTags,
                             Quotas quotas) {
        this.database = database;
        this.clock = clock;
        this.listener = listener;
        this.immutableTags = immutableTags;
        this.quotas = quotas;
        this.quotaCheck = new QuotaCheck(database.dialect());
    }

    public JdbcManifestIndex(Database database, Clock clock, ChangeListener listener) {
        this(database, clock, listener, ImmutableTags.NONE, Quotas.NONE);
    }

    public JdbcManifestIndex(Database database, Clock clock) {
        this(database, clock, ChangeListener.NONE);
    }

    public JdbcManifestIndex(Database database) {
        this(database, Clock.systemUTC());
    }

    @Override
    public Optional<StoredManifest> manifest(Repository repository, Digest digest) {
        return database.withConnection(connection -> sql(connection,
                "SELECT " + MANIFEST_COLUMNS + " FROM manifests m WHERE m.repository_id = " + ID_OF_NAME
                        + " AND m.digest = ?", repository.name(), digest)
                .first(row -> ManifestRows.storedManifest(row, repository)));
    }

    @Override
    public Optional<StoredManifest> manifestByTag(Repository repository, Reference.Tag tag) {
        return database.withConnection(connection -> sql(connection, "SELECT " + MANIFEST_COLUMNS + """
                 FROM tags t
                JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
                WHERE t.repository_id = %s AND t.name = ?""".formatted(ID_OF_NAME), repository.name(), tag.name())
                .first(row -> ManifestRows.storedManifest(row, repository)));
    }

    @Override
    public void put(StoredManifest manifest, List<Digest> blobs, List<Digest> children, Optional<Reference.Tag> tag,
                    RequestContext context) {
        SortedSet<Digest> blobDigests = new TreeSet<>(blobs);
        SortedSet<Digest> childDigests = new TreeSet<>(children);
        List<Quota> applying = quotas.applying(manifest.repository());
        Change change = database.inTransaction(connection -> {
            long repositoryId = RepositoryRows.idAddingIfAbsent(connection, manifest.repository(), clock.instant());
            String lock = database.dialect().keyShareLock();
            // The repository's counts, then scope rows, then blob rows and links: the lock order of every writer
            // (see RepositoryCounts and QuotaCheck).
            RepositoryCounts.lock(connection, database.dialect(), repositoryId);
            quotaCheck.lock(connection, applying);
            requireBlobs(connection, repositoryId, manifest.repository(), blobDigests);
            requireEach(connection, repositoryId, manifest.repository(), childDigests, "manifest",
                    "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?" + lock);
            if (!applying.isEmpty() && !sql(connection, "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?",
                    repositoryId, manifest.digest()).exists()) {
                quotaCheck.admitManifest(connection, applying);
            }
            SortedSet<Digest> affected = new TreeSet<>(childDigests);
            affected.add(manifest.digest());
            Map<Digest, RepositoryCounts.Share> before = RepositoryCounts.shares(connection, repositoryId, affected);
            boolean created = insertManifest(connection, repositoryId, manifest,
                    totalSize(connection, repositoryId, childDigests));
            if (created) {
                insertReferences(connection, repositoryId, manifest.digest(), blobDigests,
                        "INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest) VALUES (?, ?, ?)");
                insertReferences(connection, repositoryId, manifest.digest(), childDigests,
                        "INSERT INTO manifest_children (repository_id, manifest_digest, child_digest) VALUES (?, ?, ?)");
            }
            if (tag.isPresent()) {
                moveTag(connection, repositoryId, manifest, tag.get(), before);
            }
            RepositoryCounts.update(connection, repositoryId, before, created || tag.isPresent() ? clock.millis() : 0);
            return written(connection, new Change.ManifestPut(manifest, tag, created, context));
        });
        listener.committed(change);
    }

    /**
     * Points {@code tag} at the manifest, unless it is immutable and points at another digest now
     * ({@link ImmutableTagException}; the same digest again is allowed: clients re-push). Race-free: an existing tag
     * row is locked before it is judged, and a new one is inserted only if still absent — on PostgreSQL the insert
     * waits for a concurrent transaction that inserts the same tag and, when that one commits, inserts nothing; the
     * tag is then read again, locked, and judged like any existing tag. So of two pushes to one new immutable tag,
     * exactly one digest wins; SQLite runs write transactions one at a time.
     */
    private void moveTag(Connection connection, long repositoryId, StoredManifest manifest, Reference.Tag tag,
                         Map<Digest, RepositoryCounts.Share> before) throws SQLException {
        Optional<Digest> current = taggedDigest(connection, repositoryId, tag);
        long now = clock.millis();
        if (current.isEmpty()) {
            if (sql(connection, """
                    INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (repository_id, name) DO NOTHING""",
                    repositoryId, tag.name(), manifest.digest(), now).update() > 0) {
                return;
            }
            current = taggedDigest(connection, repositoryId, tag);
        }
        if (current.isPresent() && !before.containsKey(current.get())) {
            // The manifest the tag leaves: its share before this transaction (the tag's row is locked now).
            before.putAll(RepositoryCounts.shares(connection, repositoryId, List.of(current.get())));
        }
        if (current.isPresent() && !current.get().equals(manifest.digest())) {
            Set<String> types = new TreeSet<>(List.of(manifest.classification().typeId()));
            typeOf(connection, repositoryId, current.get()).ifPresent(types::add);
            Optional<String> rule = immutableTags.rule(manifest.repository(), tag, types);
            if (rule.isPresent()) {
                throw new ImmutableTagException("tag " + tag.name() + " in " + manifest.repository()
                        + " is immutable (" + rule.get() + "): it points at " + current.get()
                        + ", not " + manifest.digest());
            }
        }
        sql(connection, """
                INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (repository_id, name)
                DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at""",
                repositoryId, tag.name(), manifest.digest(), now).update();
    }

    /** The digest the tag points at, its row locked against other writers until the transaction ends. */
    private Optional<Digest> taggedDigest(Connection connection, long repositoryId, Reference.Tag tag)
            throws SQLException {
        return sql(connection, "SELECT manifest_digest FROM tags WHERE repository_id = ? AND name = ?"
                + database.dialect().updateLock(), repositoryId, tag.name())
                .first(row -> Digest.parse(row.getString(1)));
    }

    private static Optional<String> typeOf(Connection connection, long repositoryId, Digest digest)
            throws SQLException {
        return sql(connection, "SELECT type_id FROM manifests WHERE repository_id = ? AND digest = ?",
                repositoryId, digest).first(row -> row.getString(1));
    }

    /** Throws {@link ImmutableTagException} when {@code tag}, pointing at a manifest of {@code typeId}, is immutable. */
    private void requireMutable(Repository repository, Reference.Tag tag, Digest target, String typeId, String what) {
        immutableTags.rule(repository, tag, Set.of(typeId)).ifPresent(rule -> {
            throw new ImmutableTagException(what + ": tag " + tag.name() + " in " + repository + " is immutable ("
                    + rule + ") and points at " + target);
        });
    }

    private Change written(Connection connection, Change change) throws SQLException {
        listener.written(connection, change);
        return change;
    }

    /**
     * Throws {@code MANIFEST_BLOB_UNKNOWN} naming the first of {@code digests} that is not a live blob linked into the
     * repository. Each check locks the blob's row (FOR SHARE on PostgreSQL), then its link (FOR KEY SHARE): a garbage
     * collection's mark, which locks the row FOR UPDATE before it decides, either waits for this transaction and then
     * sees the manifest's reference, or went first and makes the blob unknown here. The race argument is in
     * {@code io.berth.server.gc.Collector}. Blob rows before links, digests in order: the order every writer of both
     * tables locks them in, so that no two transactions wait for each other.
     */
    private void requireBlobs(Connection connection, long repositoryId, Repository repository,
                              SortedSet<Digest> digests) throws SQLException {
        for (Digest digest : digests) {
            if (!sql(connection, "SELECT 1 FROM blobs WHERE digest = ? AND state = 'live'"
                    + database.dialect().shareLock(), digest).exists()
                    || !sql(connection, "SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?"
                    + database.dialect().keyShareLock(), repositoryId, digest).exists()) {
                throw ErrorCode.MANIFEST_BLOB_UNKNOWN.exception(
                        "the manifest references blob " + digest + ", which is not in repository " + repository);
            }
        }
    }

    /**
     * Throws {@code MANIFEST_BLOB_UNKNOWN} naming the first of {@code digests} that {@code presenceQuery} misses. The
     * query locks what it finds, so a concurrent unlink or delete cannot slip in before this transaction commits.
     */
    private static void requireEach(Connection connection, long repositoryId, Repository repository,
                                     SortedSet<Digest> digests, String kind, String presenceQuery) throws SQLException {
        for (Digest digest : digests) {
            if (!sql(connection, presenceQuery, repositoryId, digest).exists()) {
                throw ErrorCode.MANIFEST_BLOB_UNKNOWN.exception(
                        "the manifest references " + kind + " " + digest + ", which is not in repository " + repository);
            }
        }
    }

    /**
     * Inserts the manifest row; false when the repository already had it (then its bytes are kept as they were).
     * Its total size is its classification's content size plus {@code childrenTotal}, the totals of an index's children.
     */
    private static boolean insertManifest(Connection connection, long repositoryId, StoredManifest manifest,
                                          long childrenTotal) throws SQLException {
        return sql(connection, """
                INSERT INTO manifests (repository_id, digest, media_type, content, size, artifact_type, subject_digest,
                                       annotations_json, pushed_at, type_id, platforms, total_size)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (repository_id, digest) DO NOTHING""",
                repositoryId, manifest.digest(), manifest.mediaType(), manifest.content(), manifest.size(),
                manifest.artifactType().orElse(null), manifest.subject().orElse(null),
                AnnotationsJson.write(manifest.annotations()), manifest.pushedAt().toEpochMilli(),
                manifest.classification().typeId(), manifest.classification().platformsColumn(),
                manifest.classification().contentSize() + childrenTotal).update() > 0;
    }

    private static long totalSize(Connection connection, long repositoryId, SortedSet<Digest> manifests)
            throws SQLException {
        long total = 0;
        for (Digest digest : manifests) {
            total += sql(connection, "SELECT total_size FROM manifests WHERE repository_id = ? AND digest = ?",
                    repositoryId, digest).first(row -> row.getLong(1)).orElse(0L);
        }
        return total;
    }

    private static void insertReferences(Connection connection, long repositoryId, Digest manifest,
                                         SortedSet<Digest> referenced, String insert) throws SQLException {
        for (Digest digest : referenced) {
            sql(connection, insert, repositoryId, manifest, digest).update();
        }
    }

    @Override
    public boolean delete(Repository repository, Digest digest, RequestContext context) {
        // Tags and reference rows go with it: their foreign keys cascade.
        Optional<Change> change = database.inTransaction(connection -> {
            Optional<Long> repositoryId = sql(connection, "SELECT id FROM repositories WHERE name = ?",
                    repository.name()).first(row -> row.getLong(1));
            if (repositoryId.isEmpty()) {
                return Optional.empty();
            }
            RepositoryCounts.lock(connection, database.dialect(), repositoryId.get());
            // Locked before its tags are read: a push that tags it meanwhile waits (its tag row's foreign key needs
            // this row), or committed before, and then its tag is among those judged below.
            Optional<StoredManifest> existing = sql(connection, "SELECT " + MANIFEST_COLUMNS
                    + " FROM manifests m WHERE m.repository_id = " + ID_OF_NAME + " AND m.digest = ?"
                    + database.dialect().updateLock(), repository.name(), digest)
                    .first(row -> ManifestRows.storedManifest(row, repository));
            if (existing.isPresent()) {
                for (String name : sql(connection, "SELECT name FROM tags WHERE repository_id = " + ID_OF_NAME
                        + " AND manifest_digest = ? ORDER BY name", repository.name(), digest).list(row -> row.getString(1))) {
                    requireMutable(repository, new Reference.Tag(name), digest,
                            existing.get().classification().typeId(), "manifest " + digest + " cannot be deleted");
                }
            }
            if (existing.isEmpty()) {
                return Optional.empty();
            }
            // The manifest and the children it holds (which may become top-level again).
            List<Digest> affected = new ArrayList<>(List.of(digest));
            affected.addAll(sql(connection, "SELECT child_digest FROM manifest_children WHERE repository_id = ?"
                    + " AND manifest_digest = ?", repositoryId.get(), digest).list(row -> Digest.parse(row.getString(1))));
            Map<Digest, RepositoryCounts.Share> before = RepositoryCounts.shares(connection, repositoryId.get(), affected);
            if (sql(connection, "DELETE FROM manifests WHERE repository_id = ? AND digest = ?", repositoryId.get(), digest)
                    .update() == 0) {
                return Optional.empty();
            }
            RepositoryCounts.update(connection, repositoryId.get(), before, 0);
            return Optional.of(written(connection, new Change.ManifestDeleted(existing.get(), context)));
        });
        change.ifPresent(listener::committed);
        return change.isPresent();
    }

    @Override
    public boolean deleteTag(Repository repository, Reference.Tag tag, RequestContext context) {
        Optional<Change> change = database.inTransaction(connection -> {
            Optional<Long> repositoryId = sql(connection, "SELECT id FROM repositories WHERE name = ?",
                    repository.name()).first(row -> row.getLong(1));
            if (repositoryId.isEmpty()) {
                return Optional.empty();
            }
            RepositoryCounts.lock(connection, database.dialect(), repositoryId.get());
            Optional<Digest> tagged = taggedDigest(connection, repositoryId.get(), tag);
            if (tagged.isEmpty()) {
                return Optional.empty();
            }
            Map<Digest, RepositoryCounts.Share> before = RepositoryCounts.shares(connection, repositoryId.get(),
                    List.of(tagged.get()));
            Optional<StoredManifest> target = sql(connection, "SELECT " + MANIFEST_COLUMNS + """
                     FROM tags t
                    JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
                    WHERE t.repository_id = %s AND t.name = ?""".formatted(ID_OF_NAME), repository.name(), tag.name())
                    .first(row -> ManifestRows.storedManifest(row, repository));
            if (target.isPresent()) {
                requireMutable(repository, tag, target.get().digest(), target.get().classification().typeId(),
                        "tag " + tag.name() + " cannot be deleted");
            }
            if (target.isEmpty() || sql(connection, "DELETE FROM tags WHERE repository_id = " + ID_OF_NAME
                    + " AND name = ?", repository.name(), tag.name()).update() == 0) {
                return Optional.empty();
            }
            RepositoryCounts.update(connection, repositoryId.get(), before, 0);
            return Optional.of(written(connection, new Change.TagDeleted(target.get(), tag, context)));
        });
        change.ifPresent(listener::committed);
        return change.isPresent();
    }

    @Override
    public List<String> tags(Repository repository, Optional<String> last, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT name FROM tags WHERE repository_id = %s AND name > ?
                ORDER BY name LIMIT ?""".formatted(ID_OF_NAME), repository.name(), last.orElse(""), pageSize(limit))
                .list(row -> row.getString(1)));
    }

    @Override
    public List<Repository> repositories(Optional<String> last, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT r.name FROM repositories r
                WHERE r.name > ? AND %s
                ORDER BY r.name LIMIT ?""".formatted(HOLDS_CONTENT), last.orElse(""), pageSize(limit))
                .list(row -> Repository.of(row.getString(1))));
    }

    @Override
    public boolean exists(Repository repository) {
        return database.withConnection(connection -> sql(connection,
                "SELECT 1 FROM repositories r WHERE r.name = ? AND " + HOLDS_CONTENT, repository.name()).exists());
    }

    @Override
    public List<Descriptor> referrers(Repository repository, Digest subject, Optional<String> artifactType,
                                      Optional<Digest> last, int limit) {
        List<Object> parameters = new ArrayList<>(List.of(repository.name(), subject, last.map(Digest::toString).orElse("")));
        String typeCondition = "";
        if (artifactType.isPresent()) {
            typeCondition = " AND m.artifact_type = ?";
            parameters.add(artifactType.get());
        }
        parameters.add(pageSize(limit));
        String query = "SELECT " + REFERRER_COLUMNS + " FROM manifests m WHERE m.repository_id = " + ID_OF_NAME
                + " AND m.subject_digest = ? AND m.digest > ?" + typeCondition + " ORDER BY m.digest LIMIT ?";
        return database.withConnection(connection -> sql(connection, query, parameters.toArray())
                .list(ManifestRows::referrer));
    }

    /** A page size SQL can take: a negative limit means none in SQLite, here it means an empty page. */
    private static int pageSize(int limit) {
        return Math.max(0, limit);
    }
}
