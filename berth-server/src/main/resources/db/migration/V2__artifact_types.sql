-- What each manifest is (issue #3): the catalog type id detected from the manifest alone, the platforms of an
-- index (comma-separated os/arch[/variant]), and the artifact's total size (manifest + config + layers; for an
-- index, its own bytes plus its children's totals). Re-computed in the background when the type catalog changes.
ALTER TABLE manifests ADD COLUMN type_id ${bytewise_text} NOT NULL DEFAULT 'unknown';
ALTER TABLE manifests ADD COLUMN platforms TEXT NOT NULL DEFAULT '';
ALTER TABLE manifests ADD COLUMN total_size BIGINT NOT NULL DEFAULT 0;
CREATE INDEX manifests_by_type ON manifests (repository_id, type_id, digest);
CREATE INDEX tags_by_updated ON tags (repository_id, updated_at);
