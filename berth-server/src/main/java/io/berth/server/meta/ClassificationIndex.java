package io.berth.server.meta;

import io.berth.server.meta.StoredManifest.Classification;
import java.util.List;
import java.util.Optional;

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

    /** The fingerprint of the type catalog the last finished walk typed every manifest with; empty before the first. */
    Optional<String> typedWith();

    /** Records that a walk typed every stored manifest with the catalog of {@code fingerprint}. */
    void typedWith(String fingerprint);
}
