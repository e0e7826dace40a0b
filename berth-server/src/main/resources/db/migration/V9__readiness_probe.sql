-- Readiness (issue #21): every few seconds each node commits an update of this row, to learn whether the database
-- still takes writes (a full disk, a read-only file system or a lost primary shows here before a push fails).
CREATE TABLE readiness_probe (
    id         INTEGER NOT NULL PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
INSERT INTO readiness_probe (id, checked_at) VALUES (1, 0);
