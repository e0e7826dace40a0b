-- The listing's referrer counts per page (io.berth.server.meta.JdbcArtifactListing#referrerCounts) read the type of
-- each referrer: with the type in the subject index that read is answered by the index alone. Without it SQLite's
-- planner preferred the covering type index and read every manifest of the repository: 16 ms per page of a repository
-- of 100,000 manifests (issue #20). The digest stays before the type, so that a referrers page is still an index range.
DROP INDEX manifests_by_subject;
CREATE INDEX manifests_by_subject ON manifests (repository_id, subject_digest, digest, type_id);
