package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.Optional;

/**
 * A write to the registry's references that others react to — events, scans — with who asked for it. The index
 * hands it to its {@link ChangeListener} inside the writing transaction and again once that transaction committed.
 */
public sealed interface Change {

    RequestContext context();

    Repository repository();

    /**
     * A manifest was stored and, when {@code tag} is given, the tag now points at it.
     *
     * @param created false when the repository already held the manifest (then only the tag moved)
     */
    record ManifestPut(StoredManifest manifest, Optional<Reference.Tag> tag, boolean created, RequestContext context)
            implements Change {
        public Repository repository() {
            return manifest.repository();
        }
    }

    /** A manifest was deleted, and with it every tag that pointed at it. */
    record ManifestDeleted(StoredManifest manifest, RequestContext context) implements Change {
        public Repository repository() {
            return manifest.repository();
        }
    }

    /** A tag was deleted; {@code manifest} is what it pointed at, which stays. */
    record TagDeleted(StoredManifest manifest, Reference.Tag tag, RequestContext context) implements Change {
        public Repository repository() {
            return manifest.repository();
        }
    }

    /** A blob's link into a repository was removed; the bytes stay until garbage collection. */
    record BlobDeleted(Repository repository, Digest digest, long size, RequestContext context) implements Change {
    }
}
