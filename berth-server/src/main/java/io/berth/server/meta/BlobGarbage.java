package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The garbage collector's statements on the {@code blobs} and {@code repository_blobs} tables. Every statement that
 * deletes first locks the rows it decides on ({@code FOR UPDATE} on PostgreSQL) and then re-checks the garbage
 * condition in a statement of its own, which on PostgreSQL reads what was committed when it starts: a manifest push,
 * mount or upload that locked a row first has committed by then and is seen; one that comes later waits for the
 * lock and then finds the blob {@code deleting} or gone. On SQLite write transactions run one at a time.
 */
public final class BlobGarbage {
    /**
     * A blob row as a collection sees it.
     *
     * @param referenced a manifest in some repository references it
     * @param reserved   an upload session is completing it
     */
    public record BlobRow(Digest digest, long size, long touchedAt, boolean deleting, boolean referenced,
                          boolean reserved) {
        /** Garbage by what this row says; {@link #mark} decides again under the row's lock. */
        public boolean garbage(long cutoff) {
            return deleting || (!referenced && !reserved && touchedAt < cutoff);
        }
    }

    /** A repository's link to a blob. */
    public record Link(long repositoryId, Digest digest) {
        public static final Link FIRST = new Link(Long.MIN_VALUE, null);
    }

    /** What {@link #mark} marked: the blobs now {@code deleting}, and how many links went with them. */
    public record Marked(List<Digest> digests, int linksDeleted) {
    }

    /** What {@link #sweep} removed. */
    public record Swept(int blobs, long bytes) {
    }

    private static final String GARBAGE = """
            NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = blobs.digest)
            AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.finishing_digest = blobs.digest)""";

    private final Database database;

    public BlobGarbage(Database database) {
        this.database = database;
    }

    /** Up to {@code limit} blob rows after {@code after} (by digest; {@code ""} for the first page). */
    public List<BlobRow> page(String after, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT b.digest, b.size, b.touched_at, b.state,
                       EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest),
                       EXISTS (SELECT 1 FROM uploads u WHERE u.finishing_digest = b.digest)
                FROM blobs b WHERE b.digest > ? ORDER BY b.digest LIMIT ?""", after, limit)
                .list(row -> new BlobRow(Digest.parse(row.getString(1)), row.getLong(2), row.getLong(3),
                        row.getString(4).equals("deleting"), row.getBoolean(5), row.getBoolean(6))));
    }

    /**
     * Marks those of {@code digests} that are still garbage — live, touched before {@code cutoff}, referenced by no
     * manifest, completed by no upload — {@code deleting}, and removes their links, in one transaction. Returns them
     * together with those of {@code digests} that were {@code deleting} already (left by an interrupted run).
     */
    public Marked mark(List<Digest> digests, long cutoff) {
        if (digests.isEmpty()) {
            return new Marked(List.of(), 0);
        }
        String in = in(digests.size());
        Object[] keys = digests.toArray();
        return database.inTransaction(connection -> {
            sql(connection, "SELECT digest FROM blobs WHERE digest IN " + in + " ORDER BY digest"
                    + database.dialect().updateLock(), keys).list(row -> row.getString(1));
            sql(connection, "UPDATE blobs SET state = 'deleting' WHERE digest IN " + in
                    + " AND state = 'live' AND touched_at < ? AND " + GARBAGE, append(keys, cutoff)).update();
            List<Digest> marked = sql(connection, "SELECT digest FROM blobs WHERE digest IN " + in
                    + " AND state = 'deleting' ORDER BY digest", keys).list(row -> Digest.parse(row.getString(1)));
            if (marked.isEmpty()) {
                return new Marked(marked, 0);
            }
            Map<Long, Long> unlinked = RepositoryCounts.linkBytes(connection, "l.digest IN " + in(marked.size()),
                    marked.toArray());
            int links = sql(connection, "DELETE FROM repository_blobs WHERE digest IN "
                    + in(marked.size()), marked.toArray()).update();
            RepositoryCounts.unlinked(connection, unlinked);
            return new Marked(marked, links);
        });
    }

    /**
     * Deletes the files ({@code deleteFile} answers the bytes it freed) and then the rows of those of
     * {@code digests} that are {@code deleting}, while holding their rows' locks: an upload of the same digest waits,
     * and then finds no row, so its file is never the one deleted.
     */
    public Swept sweep(List<Digest> digests, ToLongFunction<Digest> deleteFile) {
        if (digests.isEmpty()) {
            return new Swept(0, 0);
        }
        return database.inTransaction(connection -> {
            List<Digest> locked = sql(connection, "SELECT digest FROM blobs WHERE digest IN " + in(digests.size())
                    + " AND state = 'deleting' ORDER BY digest" + database.dialect().updateLock(), digests.toArray())
                    .list(row -> Digest.parse(row.getString(1)));
            long bytes = 0;
            for (Digest digest : locked) {
                bytes += deleteFile.applyAsLong(digest);
            }
            if (!locked.isEmpty()) {
                String in = in(locked.size());
                Map<Long, Long> unlinked = RepositoryCounts.linkBytes(connection, "l.digest IN " + in, locked.toArray());
                sql(connection, "DELETE FROM repository_blobs WHERE digest IN " + in, locked.toArray()).update();
                RepositoryCounts.unlinked(connection, unlinked);
                sql(connection, "DELETE FROM blobs WHERE state = 'deleting' AND digest IN " + in, locked.toArray())
                        .update();
            }
            return new Swept(locked.size(), bytes);
        });
    }

    /**
     * Up to {@code limit} links after {@code after} (by repository id and digest) that nothing in their repository
     * references, created and with their blob touched before {@code cutoff}.
     */
    public List<Link> staleLinks(Link after, long cutoff, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT l.repository_id, l.digest FROM repository_blobs l JOIN blobs b ON b.digest = l.digest
                WHERE (l.repository_id, l.digest) > (?, ?)
                  AND l.created_at < ? AND b.touched_at < ? AND b.state = 'live'
                  AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb
                                  WHERE mb.blob_digest = l.digest AND mb.repository_id = l.repository_id)
                ORDER BY l.repository_id, l.digest LIMIT ?""", after.repositoryId(),
                after.digest() == null ? "" : after.digest().toString(), cutoff, cutoff, limit)
                .list(row -> new Link(row.getLong(1), Digest.parse(row.getString(2)))));
    }

    /** Deletes those of {@code links} that are still stale (see {@link #staleLinks}), deciding under their locks. */
    public int deleteLinks(List<Link> links, long cutoff) {
        if (links.isEmpty()) {
            return 0;
        }
        return database.inTransaction(connection -> {
            int deleted = 0;
            Map<Long, Long> unlinked = new TreeMap<>();
            for (Link link : links) {
                sql(connection, "SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?"
                        + database.dialect().updateLock(), link.repositoryId(), link.digest()).exists();
                long size = sql(connection, "SELECT size FROM blobs WHERE digest = ?", link.digest())
                        .first(row -> row.getLong(1)).orElse(0L);
                int gone = sql(connection, """
                        DELETE FROM repository_blobs
                        WHERE repository_id = ? AND digest = ? AND created_at < ?
                          AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = repository_blobs.digest
                                          AND mb.repository_id = repository_blobs.repository_id)
                          AND EXISTS (SELECT 1 FROM blobs b WHERE b.digest = repository_blobs.digest
                                      AND b.touched_at < ? AND b.state = 'live')""",
                        link.repositoryId(), link.digest(), cutoff, cutoff).update();
                if (gone > 0) {
                    unlinked.merge(link.repositoryId(), size, Long::sum);
                    deleted += gone;
                }
            }
            // After every link's lock: see RepositoryCounts.linked.
            RepositoryCounts.unlinked(connection, unlinked);
            return deleted;
        });
    }

    /**
     * Deletes the file of a blob that has no row, holding a {@code deleting} row for it meanwhile so that an upload
     * of the same digest waits (and then writes its file after this deletion); false when the blob has a row now.
     */
    public boolean deleteOrphanFile(Digest digest, Predicate<Digest> deleteFile, long now) {
        return database.inTransaction(connection -> {
            if (sql(connection, """
                    INSERT INTO blobs (digest, size, created_at, touched_at, state) VALUES (?, 0, ?, ?, 'deleting')
                    ON CONFLICT (digest) DO NOTHING""", digest, now, now).update() == 0) {
                return false;
            }
            boolean deleted = deleteFile.test(digest);
            sql(connection, "DELETE FROM blobs WHERE digest = ? AND state = 'deleting'", digest).update();
            return deleted;
        });
    }

    private static String in(int count) {
        return "(" + "?, ".repeat(count - 1) + "?)";
    }

    private static Object[] append(Object[] values, Object last) {
        Object[] all = java.util.Arrays.copyOf(values, values.length + 1);
        all[values.length] = last;
        return all;
    }
}
