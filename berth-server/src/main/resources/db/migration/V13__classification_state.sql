-- The type catalog (io.berth.oci.type.TypeCatalog#fingerprint) that every stored manifest was last typed with, written
-- when a re-typing walk finishes. A node that starts with the same catalog skips the walk: at a million manifests it
-- took a minute of a write thread at every start (issue #20).
CREATE TABLE classification_state (
    id                  INTEGER NOT NULL PRIMARY KEY,
    catalog_fingerprint TEXT NOT NULL,
    typed_at            BIGINT NOT NULL
);
