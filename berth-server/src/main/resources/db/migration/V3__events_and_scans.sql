-- Events and scans (issue #8).
--
-- Events go through a transactional outbox: a change that produces an event adds, in its own transaction, one row per
-- event endpoint whose filters match, already rendered in that endpoint's format. Each endpoint's sender delivers its
-- pending rows in seq order and marks them delivered; delivered rows are pruned after a day.
-- event_sequence holds the last seq handed out. Taking the next one updates its single row, which locks it until the
-- transaction ends, so on PostgreSQL too seqs are handed out in commit order and a sender never sees seq n+1 commit
-- before seq n.
CREATE TABLE event_sequence (
    id       INTEGER NOT NULL PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
INSERT INTO event_sequence (id, last_seq) VALUES (1, 0);

CREATE TABLE event_outbox (
    endpoint     ${bytewise_text} NOT NULL,
    seq          BIGINT NOT NULL,
    event_id     TEXT NOT NULL,
    action       TEXT NOT NULL,
    repository   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body         ${binary} NOT NULL,
    created_at   BIGINT NOT NULL,
    -- pending | delivered | abandoned (after the endpoint's maxRetries, when it has one)
    state        TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    finished_at  BIGINT,
    PRIMARY KEY (endpoint, seq)
);
CREATE INDEX event_outbox_pending ON event_outbox (endpoint, seq) WHERE state = 'pending';
CREATE INDEX event_outbox_finished ON event_outbox (endpoint, finished_at) WHERE state <> 'pending';

-- Each endpoint's delivery record, kept across restarts: what the status API and the metrics show.
CREATE TABLE event_endpoints (
    name            ${bytewise_text} NOT NULL PRIMARY KEY,
    delivered       BIGINT NOT NULL DEFAULT 0,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    last_success_at BIGINT,
    last_failure_at BIGINT,
    last_error      TEXT
);

-- One scan of a manifest by a configured scanner (a Harbor scanner adapter), queued in the transaction that stored
-- the manifest when the scanner accepts its type. queued -> running (the adapter accepted it) -> done | failed.
-- next_at is when the worker next submits (queued) or polls for the report (running). The summary counts are set
-- when done; report is the adapter's report as received.
CREATE TABLE scans (
    repository_id     BIGINT NOT NULL,
    manifest_digest   ${bytewise_text} NOT NULL,
    scanner           ${bytewise_text} NOT NULL,
    status            TEXT NOT NULL,
    requested_at      BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    next_at           BIGINT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    scan_request_id   TEXT,
    error             TEXT,
    n_critical        BIGINT,
    n_high            BIGINT,
    n_medium          BIGINT,
    n_low             BIGINT,
    n_unknown         BIGINT,
    report_media_type TEXT,
    report            ${binary},
    PRIMARY KEY (repository_id, manifest_digest, scanner),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX scans_due ON scans (next_at) WHERE status IN ('queued', 'running');
