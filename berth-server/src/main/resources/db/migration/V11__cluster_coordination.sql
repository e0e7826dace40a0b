-- Coordination of the nodes that share this database (issue #19). Every holder is a node id (io.berth.server.meta.NodeId).
--
-- job_leases: background work that runs on one node at a time across the cluster, by name ('upload-expiry', 'scrub',
-- 'events:<endpoint>' for each webhook endpoint's sender). The holder renews expires_at while it works; an
-- expired lease (its node died) is taken over; a node that stops releases its leases. Garbage collection and retention
-- keep their own gc_lease (it also holds the pause switch).
CREATE TABLE job_leases (
    name        ${bytewise_text} NOT NULL PRIMARY KEY,
    holder      TEXT,
    expires_at  BIGINT NOT NULL DEFAULT 0,
    acquired_at BIGINT NOT NULL DEFAULT 0
);

-- A scan claimed by a node's worker until claimed_until (epoch ms): no other worker takes it meanwhile; a claim not
-- released by then (the node died mid-call) is taken over.
ALTER TABLE scans ADD COLUMN claimed_by TEXT;
ALTER TABLE scans ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;

-- The operator's read-only mode (POST /api/v1/admin/read-only), obeyed by every node: reason is NULL while off.
CREATE TABLE read_only_mode (
    id     INTEGER NOT NULL PRIMARY KEY,
    reason TEXT,
    since  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO read_only_mode (id, reason, since) VALUES (1, NULL, 0);

-- The token service's signing key (a private EC P-256 JWK) when auth.token.key names no file: made by the first node
-- that needs it, used by all.
CREATE TABLE token_signing_keys (
    id         INTEGER NOT NULL PRIMARY KEY,
    jwk        TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Signed-out subjects: tokens issued before not_before (epoch seconds) are refused by every node.
CREATE TABLE token_revocations (
    subject    ${bytewise_text} NOT NULL PRIMARY KEY,
    not_before BIGINT NOT NULL
);

-- The nodes that use this database, each refreshing last_seen_at every few seconds, with the id of the key it signs
-- tokens with: a node whose key differs from that of a live node refuses to start.
CREATE TABLE cluster_nodes (
    node           ${bytewise_text} NOT NULL PRIMARY KEY,
    started_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    signing_key_id TEXT
);

-- Each scrub's report (POST /api/v1/admin/scrub), written as it goes, so that every node lists the same runs. One scrub
-- at a time across the nodes (the job lease 'scrub'); a run left unfinished by a node that died is marked failed by
-- the next. corrupt_digests and missing_digests: the first 100 of each, comma-separated.
CREATE TABLE scrub_runs (
    id              ${identity},
    node            TEXT NOT NULL,
    started_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    blobs_checked   BIGINT NOT NULL DEFAULT 0,
    bytes_checked   BIGINT NOT NULL DEFAULT 0,
    corrupt_count   BIGINT NOT NULL DEFAULT 0,
    missing_count   BIGINT NOT NULL DEFAULT 0,
    corrupt_digests TEXT NOT NULL DEFAULT '',
    missing_digests TEXT NOT NULL DEFAULT '',
    error           TEXT
);
