package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Which blobs exist and which repositories may serve them. A blob is readable in a repository only once it was
 * pushed or mounted there (a "link"); the bytes themselves are content-addressed and shared.
 */
public interface BlobIndex {
    /** The blob's size when it is linked into {@code repository}. */
    Optional<Long> linkedBlobSize(Repository repository, Digest digest);

    /**
     * Non-blocking: the linked blob's size when this index holds it in memory (see {@link CachedBlobIndex}), so that a
     * HEAD can be answered without leaving the event loop; empty means "look it up".
     */
    default Optional<Long> cachedLinkedBlobSize(Repository repository, Digest digest) {
        return Optional.empty();
    }

    /** A repository the blob is linked into, if any (the first by name). */
    Optional<Repository> anyRepositoryWith(Digest digest);

    /**
     * A page of the repositories the blob is linked into, by name: up to {@code limit} after {@code after} (exclusive;
     * {@code ""} for the first page). An automatic cross-repository mount looks through them for one the caller may
     * read, so that repositories it may not read make no difference to the answer.
     */
    List<Repository> repositoriesWith(Digest digest, String after, int limit);

    /**
     * Throws {@link QuotaExceededException} when linking the blob ({@code size} bytes) into {@code repository} would
     * exceed a quota — before an upload's bytes are accepted, where the size is known. Advisory: it reads without
     * locking; the transaction that links the blob checks again. Blocking.
     */
    default void admit(Repository repository, Digest digest, long size) {
    }

    /**
     * Records the blob (if new) and links it into {@code repository}; {@link QuotaExceededException} when that would
     * exceed a quota (then nothing is written). Idempotent and safe under concurrency.
     */
    void link(Repository repository, Digest digest, long size);

    /**
     * A cross-repository mount: links the blob into {@code repository} when it is live, and refreshes its
     * {@code touched_at}; false when there is no such blob, or garbage collection is deleting it (the client then
     * uploads it). {@link QuotaExceededException} when the link would exceed a quota of {@code repository}. Blocking.
     */
    boolean mount(Repository repository, Digest digest);

    /**
     * Before an upload's verified bytes become the blob {@code digest}: makes sure the blob has a live row (a new one
     * if need be, touched now) and records on the session that it is completing this digest, so that no garbage
     * collection marks the blob until {@link #linkUploaded} ends the session. When a collection has already marked
     * the blob, its deletion is finished here first ({@code deleteBytes} removes the old file), under the row's lock.
     * Blocking.
     */
    void reserveForUpload(UUID upload, Digest digest, long size, Consumer<Digest> deleteBytes);

    /**
     * Drops whatever this index remembers of these blobs in any repository: garbage collection has deleted them or
     * their links. Nothing to do for an index that remembers nothing.
     */
    default void forget(Set<Digest> digests) {
    }

    /**
     * Links the blob that upload session {@code upload} produced and ends that session, in one transaction: the
     * session is gone exactly when the blob is linked. {@link QuotaExceededException} when the link would exceed a
     * quota: then nothing is written and the session stays (its caller ends it).
     */
    void linkUploaded(Repository repository, Digest digest, long size, UUID upload);

    /** Removes the link; true when there was one. The bytes stay until garbage collection. */
    boolean unlink(Repository repository, Digest digest, RequestContext context);

    default boolean unlink(Repository repository, Digest digest) {
        return unlink(repository, digest, RequestContext.INTERNAL);
    }
}
