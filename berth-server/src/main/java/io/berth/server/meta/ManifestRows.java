package io.berth.server.meta;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads rows of the {@code manifests} table (aliased {@code m}) into stored manifests and referrer descriptors. */
final class ManifestRows {
    /** The columns {@link #storedManifest} reads, in its order. */
    static final String MANIFEST_COLUMNS =
            "m.digest, m.media_type, m.content, m.artifact_type, m.subject_digest, m.annotations_json, m.pushed_at, "
            + "m.type_id, m.platforms, m.total_size";
    /** The columns {@link #referrer} reads, in its order. */
    static final String REFERRER_COLUMNS = "m.digest, m.media_type, m.size, m.artifact_type, m.annotations_json";

    private ManifestRows() {
    }

    static StoredManifest storedManifest(ResultSet row, Repository repository) throws SQLException {
        return new StoredManifest(repository,
                Digest.parse(row.getString(1)),
                row.getString(2),
                row.getBytes(3),
                Optional.ofNullable(row.getString(4)),
                Optional.ofNullable(row.getString(5)).map(Digest::parse),
                AnnotationsJson.read(row.getString(6)),
                Instant.ofEpochMilli(row.getLong(7)),
                new StoredManifest.Classification(row.getString(8),
                        StoredManifest.Classification.platformsOf(row.getString(9)), row.getLong(10)));
    }

    static Descriptor referrer(ResultSet row) throws SQLException {
        return new Descriptor(row.getString(2),
                Digest.parse(row.getString(1)),
                row.getLong(3),
                Optional.ofNullable(row.getString(4)),
                AnnotationsJson.read(row.getString(5)),
                Optional.empty(),
                List.of());
    }
}
