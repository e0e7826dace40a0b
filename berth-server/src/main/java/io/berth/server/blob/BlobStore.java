package io.berth.server.blob;

import io.berth.oci.Digest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where blob bytes live: a local file system or an object store. Blocking unless a method says otherwise. The upload
 * layer (UploadSessions) owns the protocol — sessions, offsets, digests, hash state; a driver only stores bytes.
 * Every driver passes the same contract suite (BlobStoreContract).
 */
public interface BlobStore {

    // ---- committed blobs -------------------------------------------------------------------------------------------

    /** What storage holds for a committed blob; {@code version} changes whenever the bytes are replaced (inode, ETag). */
    record BlobStat(long size, Version version) {
    }

    /** Opaque identity of one stored copy of a blob's bytes (filesystem: file key; S3: ETag + last-modified). */
    record Version(Object key) {
    }

    /** A stat: the blob's size and version, empty when storage has no bytes for it. */
    Optional<BlobStat> stat(Digest digest);

    /**
     * The blob's local file, for zero-copy {@code sendFile} with ranges; empty when this driver keeps no local files
     * (object stores) or the file is missing.
     */
    default Optional<Path> localFile(Digest digest) {
        return Optional.empty();
    }

    /**
     * Reads {@code length} bytes of the blob from {@code offset} (a range GET on object stores). Throws
     * {@link java.nio.file.NoSuchFileException} (wrapped in UncheckedIOException) when the blob has no bytes.
     */
    InputStream read(Digest digest, long offset, long length);

    /**
     * A URL from which a client may download the blob directly for {@code ttl} (S3 presigned GET), when the driver is
     * configured to redirect downloads; empty otherwise (the server streams the bytes itself).
     */
    default Optional<URI> downloadUrl(Digest digest, Duration ttl) {
        return Optional.empty();
    }

    /** Removes the blob's bytes; true when they existed. */
    boolean delete(Digest digest);

    /** A committed blob as listed by {@link #files}: for garbage collection to find bytes without a row. */
    record StoredFile(Digest digest, long size, Instant modified) {
    }

    /** Every committed blob, in no particular order; a stream over the storage (paged listing), to be closed. */
    Stream<StoredFile> files();

    /**
     * Takes a blob's bytes out of service because they do not hash to its digest: moves them aside (never served)
     * when they are still {@code version}. Returns where they went, for the log; empty when gone or replaced meanwhile.
     */
    Optional<String> quarantine(Digest digest, Version version);

    // ---- uploads ---------------------------------------------------------------------------------------------------

    /** Creates an upload's empty storage (file, or nothing yet on object stores). */
    void createUpload(UUID upload);

    /** Bytes stored for the upload so far (including any spooled tail), or empty when the upload has no storage. */
    Optional<Long> uploadedLength(UUID upload);

    /**
     * On the event loop: a stream that appends to the upload starting at {@code offset}, which must equal
     * {@link #uploadedLength}. Writes apply back-pressure ({@code writeQueueFull}); {@code end()} completes when every
     * byte written is stored durably enough to be resumed by another node (S3: uploaded parts plus a spooled tail
     * object for the rest below the 5 MiB part minimum). On failure the upload's stored length is whatever
     * {@link #uploadedLength} reports afterwards.
     */
    Future<WriteStream<Buffer>> append(UUID upload, long offset);

    /** Blocking variant of {@link #append} for a body read whole (small requests): appends {@code bytes} at {@code offset}. */
    void write(UUID upload, long offset, byte[] bytes);

    /** The upload's bytes so far, from the start: to rebuild a hash when no saved state exists. */
    InputStream readUpload(UUID upload);

    /**
     * Makes the upload's bytes durable and visible as the blob {@code digest} after checking {@code expected} equals
     * {@code actual} (computed by the upload layer while streaming); a mismatch discards the upload and throws
     * DIGEST_INVALID. Replaces existing bytes for the digest (they may be corrupt). Object stores avoid reading the
     * data back (complete the multipart upload, server-side copy). Returns the committed blob's stat.
     */
    BlobStat commit(UUID upload, Digest expected, Digest actual);

    /** Discards the upload's bytes, if any (S3: aborts its multipart upload, removes its tail). */
    void cancel(UUID upload);

    /** An upload as storage holds it: the session it belongs to, its bytes, and when it was last written. */
    record UploadFile(UUID upload, long size, Instant modified) {
    }

    /** Every upload in storage, with or without a session in the database (for the upload expiry's orphan sweep). */
    List<UploadFile> uploadFiles();

    // ---- health ----------------------------------------------------------------------------------------------------

    /** Writes and removes a small object where uploads go; throws when the storage cannot take writes. */
    void checkWritable();

    /** The bytes that can still be written; empty when the storage does not say (object stores). */
    OptionalLong usableSpace();

    /** A short description for logs and /readyz, e.g. {@code filesystem /var/lib/berth} or {@code s3 bucket/prefix}. */
    String describe();
}
