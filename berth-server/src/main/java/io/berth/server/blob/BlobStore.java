package io.berth.server.blob;

import io.berth.oci.Digest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Content-addressed blob bytes and the upload files they are written through. Role-sized on purpose: the HTTP
 * layer reads committed blobs and appends to uploads; which repositories may see a blob is the metadata's business.
 * Implementations verify the digest before a blob becomes visible and never expose a partial blob.
 */
public interface BlobStore {

    /** A committed blob on a local file system, ready for zero-copy sending. */
    record LocalBlob(Path path, long size) {
    }

    /** The committed blob, if its bytes exist. */
    Optional<LocalBlob> blob(Digest digest);

    /** The file an upload session appends to; created empty by {@link #createUpload}. */
    Path uploadPath(UUID upload);

    void createUpload(UUID upload);

    /** Bytes received so far, or empty when the upload's file does not exist. */
    Optional<Long> uploadedLength(UUID upload);

    /** An upload file as storage holds it: the session it belongs to, its bytes, and when it was last written. */
    record UploadFile(UUID upload, long size, Instant modified) {
    }

    /**
     * Every upload file in storage, with or without a session in the database: the upload expiry removes those whose
     * session is gone (a start that failed between the file and its row, a crash). Names that are no session id are
     * not upload files and are left out.
     */
    List<UploadFile> uploadFiles();

    /**
     * Makes the upload's bytes durable and visible as the blob {@code digest}: flush to disk, verify that the bytes
     * hash to {@code actual} (computed while streaming) and that it equals {@code expected}, then move atomically.
     * On a mismatch the upload is discarded and {@code DIGEST_INVALID} thrown.
     *
     * @return the committed blob
     */
    LocalBlob commit(UUID upload, Digest expected, Digest actual);

    /** Discards the upload's bytes, if any. */
    void cancel(UUID upload);

    /** Removes the blob's bytes; true when they existed. */
    boolean delete(Digest digest);

    /** A committed blob's file as listed by {@link #files}: for garbage collection to find files without a row. */
    record StoredFile(Digest digest, long size, Instant modified) {
    }

    /**
     * Every committed blob in digest order (by {@code Digest.toString()}: an object store's key order), a stream over
     * the storage to be closed. Garbage collection walks it beside the database's rows, also in digest order.
     */
    Stream<StoredFile> files();

    /**
     * Which file holds a blob's bytes now. A commit that replaces the file changes it (on a file system: the inode), so
     * that a verifier that read a corrupt file never quarantines the good one a push put in its place meanwhile.
     */
    record Version(Object key) {
    }

    /** The version of the blob's bytes, empty when it has none. */
    Optional<Version> version(Digest digest);

    /**
     * Takes a blob's bytes out of service because they do not hash to its digest: moves them aside (kept for the
     * operator, never served) when they are still {@code version}. From then on the blob has no bytes until a push of
     * the right ones commits them again.
     *
     * @return where the bytes went, for the log; empty when the file is gone or was replaced meanwhile
     */
    Optional<String> quarantine(Digest digest, Version version);

    /** Writes and removes a small file where uploads go; throws when the storage cannot take writes. */
    void checkWritable();

    /** The bytes that can still be written to the storage. */
    long usableSpace();
}
