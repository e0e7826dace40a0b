package io.berth.server.meta;

import io.berth.server.meta.StoredManifest.Classification;
import java.util.List;

/** Every stored manifest's classification, walked in pages and updated when the type catalog changes. */
public interface ClassificationIndex {

    /** A position in the walk: after this manifest of this repository. */
    record Cursor(long repositoryId, String digest) {
        public static final Cursor START = new Cursor(-1, "");
    }

    /** A manifest with what is needed to classify it again. */
    record Row(Cursor cursor, String mediaType, byte[] content, Classification classification) {
    }

    /** Up to {@code limit} manifests after {@code after}, in (repository, digest) order. */
    List<Row> page(Cursor after, int limit);

    /** Sets the type id and platforms of the manifest at {@code at}; its size stays. */
    void update(Cursor at, Classification classification);
}
