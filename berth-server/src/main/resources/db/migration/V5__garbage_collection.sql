-- Online garbage collection of blobs (issue #18). See io.berth.server.gc.Collector for the protocol these columns serve.
--
-- blobs.state: 'live', or 'deleting' once a collection has decided the blob is garbage: from then on no manifest push
-- accepts it and no mount links it, its file is deleted, then its row, under a lock of the row ('deleting' rows left by
-- a crash are finished by the next run, or by an upload of the same digest).
-- blobs.touched_at: the last upload completion, mount or existence check (HEAD/GET; written only when older than a
-- fraction of the grace period, so that a hot blob does not cost a write per request).
ALTER TABLE blobs ADD COLUMN state TEXT NOT NULL DEFAULT 'live';
ALTER TABLE blobs ADD COLUMN touched_at BIGINT NOT NULL DEFAULT 0;
UPDATE blobs SET touched_at = created_at;

-- The digest an upload session is completing: set, together with a live blob row, before the session's bytes become
-- the blob's file, and gone with the session when the blob is linked. A collection never marks a blob that an upload
-- is completing.
ALTER TABLE uploads ADD COLUMN finishing_digest ${bytewise_text};
CREATE INDEX uploads_by_finishing_digest ON uploads (finishing_digest);

-- One collection at a time across the nodes that share this database: the holder renews expires_at while it runs; an
-- expired lease is taken over. paused stops scheduled and requested collections until resumed.
CREATE TABLE gc_lease (
    id         INTEGER NOT NULL PRIMARY KEY,
    holder     TEXT,
    expires_at BIGINT NOT NULL,
    paused     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO gc_lease (id, holder, expires_at, paused) VALUES (1, NULL, 0, 0);

-- Each collection's report (status: running | done | failed); phases_json is [{"name","millis"}, ...].
CREATE TABLE gc_runs (
    id                   ${identity},
    started_at           BIGINT NOT NULL,
    finished_at          BIGINT,
    dry_run              INTEGER NOT NULL,
    status               TEXT NOT NULL,
    holder               TEXT NOT NULL,
    blobs_examined       BIGINT NOT NULL DEFAULT 0,
    blobs_deleted        BIGINT NOT NULL DEFAULT 0,
    bytes_freed          BIGINT NOT NULL DEFAULT 0,
    links_deleted        BIGINT NOT NULL DEFAULT 0,
    orphan_files_deleted BIGINT NOT NULL DEFAULT 0,
    missing_files        BIGINT NOT NULL DEFAULT 0,
    phases_json          TEXT NOT NULL DEFAULT '[]',
    error                TEXT
);
CREATE INDEX gc_runs_by_status ON gc_runs (status);
