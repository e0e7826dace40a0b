-- Data at scale (issue #20): what the repositories page of the listing API and the web UI show per repository, kept up
-- to date in the transaction of every change (io.berth.server.meta.RepositoryCounts) instead of counted at read time,
-- where a repository of 100,000 tags took hundreds of milliseconds per page.
--
-- Per repository and artifact type: the manifests of the type, the tags that point at them, and the untagged top-level
-- ones (no tag, no subject, no index that holds them): "artifacts" on the page are tags + untagged.
CREATE TABLE repository_type_counts (
    repository_id   BIGINT NOT NULL,
    type_id         ${bytewise_text} NOT NULL,
    repository_name ${bytewise_text} NOT NULL,
    manifests       BIGINT NOT NULL,
    tags            BIGINT NOT NULL,
    untagged        BIGINT NOT NULL,
    PRIMARY KEY (repository_id, type_id)
);
-- The listing's type filter: the repositories that hold a type in name order (a repository's name never changes),
-- without visiting the repositories that do not.
CREATE INDEX repository_type_counts_by_type ON repository_type_counts (type_id, repository_name);

-- Per repository: the bytes of its manifests and its last push (of a manifest or a tag; a deletion leaves it). Every
-- transaction that changes a repository's manifests or tags locks its row first: on PostgreSQL, they take turns.
CREATE TABLE repository_totals (
    repository_id  BIGINT NOT NULL PRIMARY KEY,
    manifest_bytes BIGINT NOT NULL,
    last_push_at   BIGINT NOT NULL
);

-- Per repository: the bytes of the blobs linked into it (pushed or mounted there), kept apart from the totals row
-- because uploads, mounts and garbage collection change links, in transactions that lock blob rows first.
CREATE TABLE repository_link_bytes (
    repository_id BIGINT NOT NULL PRIMARY KEY,
    bytes         BIGINT NOT NULL
);

INSERT INTO repository_type_counts (repository_id, type_id, repository_name, manifests, tags, untagged)
SELECT m.repository_id, m.type_id, (SELECT r.name FROM repositories r WHERE r.id = m.repository_id), COUNT(*),
       SUM((SELECT COUNT(*) FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)),
       SUM(CASE WHEN m.subject_digest IS NULL
                 AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)
                 AND NOT EXISTS (SELECT 1 FROM manifest_children c
                                 WHERE c.repository_id = m.repository_id AND c.child_digest = m.digest)
                THEN 1 ELSE 0 END)
FROM manifests m
GROUP BY m.repository_id, m.type_id;

INSERT INTO repository_link_bytes (repository_id, bytes)
SELECT l.repository_id, SUM(b.size) FROM repository_blobs l JOIN blobs b ON b.digest = l.digest GROUP BY l.repository_id;

INSERT INTO repository_totals (repository_id, manifest_bytes, last_push_at)
SELECT r.id,
       COALESCE((SELECT SUM(m.size) FROM manifests m WHERE m.repository_id = r.id), 0),
       CASE WHEN COALESCE((SELECT MAX(t.updated_at) FROM tags t WHERE t.repository_id = r.id), 0)
                 > COALESCE((SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repository_id = r.id), 0)
            THEN (SELECT MAX(t.updated_at) FROM tags t WHERE t.repository_id = r.id)
            ELSE COALESCE((SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repository_id = r.id), 0) END
FROM repositories r;
