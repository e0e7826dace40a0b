package io.berth.server.blob;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Uploads on S3 (blocking): S3 multipart uploads underneath, since an object cannot be appended to. Full parts (at
 * least the 5 MiB S3 asks of every part but the last) go up as they fill; what is left of a request below a part is
 * spooled to the tail object, which the next append, on whichever node, reads back (less than a part) and puts in
 * front of its bytes. {@link S3UploadState} says how far the upload got, so that any node can go on.
 *
 * <p>Commit never reads the data back: an upload that never filled a part is its tail object, copied to the blob's
 * key on the server; otherwise the tail becomes the last part by an UploadPartCopy, the multipart upload is
 * completed, and the result copied to the blob's key (a multipart copy above 5 GiB).
 */
final class S3Uploads {
    /** S3's smallest part but the last: {@value} bytes. */
    static final int MIN_PART = 5 << 20;
    /** S3's largest single CopyObject. */
    static final long MAX_COPY = 5L << 30;
    private static final int MAX_PARTS = 10_000;

    private final S3Bucket bucket;
    private final int partSize;
    private final long copyLimit;

    /**
     * @param partSize  the size of the first thousand parts; later ones grow (see {@link #partSize(int)})
     * @param copyLimit above this many bytes a commit copies in parts (S3: 5 GiB; smaller in tests)
     */
    S3Uploads(S3Bucket bucket, int partSize, long copyLimit) {
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("S3 parts are at least 5 MiB, was " + partSize);
        }
        this.bucket = bucket;
        this.partSize = partSize;
        this.copyLimit = copyLimit;
    }

    /**
     * The size of part {@code number}: the base size for parts 1–1000, twice it for 1001–2000 and so on, so that the
     * 10,000 parts S3 allows reach 55,000 base parts (270 GiB at 5 MiB) while small blobs use small parts.
     */
    int partSize(int number) {
        return partSize * (1 + Math.min(MAX_PARTS - 1, number - 1) / 1000);
    }

    void create(UUID upload) {
        putState(upload, S3UploadState.EMPTY);
    }

    Optional<S3UploadState> state(UUID upload) {
        return bucket.bytes(bucket.keys.state(upload)).map(S3UploadState::fromJson);
    }

    S3UploadState existingState(UUID upload) {
        return state(upload).orElseThrow(() -> S3Bucket.noSuchKey(bucket.keys.state(upload)));
    }

    void putState(UUID upload, S3UploadState state) {
        byte[] json = state.toJson();
        bucket.put(bucket.keys.state(upload), json, json.length);
    }

    /** The state of an upload that is to be appended to at {@code offset}, which must be its length. */
    S3UploadState stateAt(UUID upload, long offset) {
        S3UploadState state = existingState(upload);
        if (state.length() != offset) {
            throw ErrorCode.RANGE_INVALID.exception("upload " + upload + " has " + state.length()
                    + " bytes stored, an append at " + offset + " does not follow them");
        }
        return state;
    }

    /** The tail's bytes that count (the object may be longer after an append that failed to record it). */
    byte[] tail(UUID upload, S3UploadState state) {
        if (state.tail() == 0) {
            return new byte[0];
        }
        try (InputStream in = bucket.read(bucket.keys.tail(upload), 0, state.tail())) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A whole request body at {@code offset}: behind the tail, full parts go up, the rest becomes the tail. */
    void append(UUID upload, long offset, byte[] bytes) {
        if (bytes.length == 0) {
            stateAt(upload, offset);
            return;
        }
        S3UploadState state = stateAt(upload, offset);
        byte[] tail = tail(upload, state);
        byte[] all = new byte[tail.length + bytes.length];
        System.arraycopy(tail, 0, all, 0, tail.length);
        System.arraycopy(bytes, 0, all, tail.length, bytes.length);
        int start = 0;
        int size;
        while (all.length - start >= (size = partSize(state.parts().size() + 1))) {
            state = uploadPart(upload, state, java.util.Arrays.copyOfRange(all, start, start + size), size);
            start += size;
        }
        if (start < all.length) {
            putTail(upload, state, java.util.Arrays.copyOfRange(all, start, all.length), all.length - start);
        }
    }

    /** Uploads the next full part and records it; returns the state that includes it. */
    S3UploadState uploadPart(UUID upload, S3UploadState state, byte[] bytes, int length) {
        return uploadPart(upload, state, S3PartBody.of(bytes, length), length);
    }

    S3UploadState uploadPart(UUID upload, S3UploadState state, RequestBody body, long length) {
        String key = bucket.keys.data(upload);
        String id = state.multipart() != null ? state.multipart()
                : bucket.client.createMultipartUpload(b -> b.bucket(bucket.name).key(key)
                        .serverSideEncryption(bucket.encryption())).uploadId();
        int number = state.parts().size() + 1;
        String etag = bucket.client.uploadPart(b -> b.bucket(bucket.name).key(key).uploadId(id).partNumber(number)
                .contentLength(length), body).eTag();
        S3UploadState next = state.withPart(id, etag, length);
        putState(upload, next);
        return next;
    }

    /** Spools the bytes after the last part to the tail object and records them. */
    S3UploadState putTail(UUID upload, S3UploadState state, byte[] bytes, int length) {
        return putTail(upload, state, S3PartBody.of(bytes, length), length);
    }

    S3UploadState putTail(UUID upload, S3UploadState state, RequestBody body, long length) {
        if (length > 0) {
            bucket.put(bucket.keys.tail(upload), body, length);
        }
        S3UploadState next = state.withTail(length);
        putState(upload, next);
        return next;
    }

    InputStream read(UUID upload) {
        S3UploadState state = existingState(upload);
        if (!state.parts().isEmpty()) {
            throw new UnsupportedOperationException("S3 does not read back the parts of an unfinished multipart upload"
                    + " (upload " + upload + "): the upload layer keeps the hash state instead");
        }
        return new java.io.ByteArrayInputStream(tail(upload, state));
    }

    /** Makes the upload the blob {@code digest}; returns the blob's stat (its ETag as version). */
    BlobStore.BlobStat commit(UUID upload, Digest expected, Digest actual) {
        if (!expected.equals(actual)) {
            cancel(upload);
            throw ErrorCode.DIGEST_INVALID.exception("content digest " + actual + " does not match " + expected);
        }
        S3UploadState state = existingState(upload);
        String target = bucket.keys.blob(expected);
        String etag = state.multipart() == null ? commitTail(upload, state, target)
                : commitMultipart(upload, state, target);
        cancel(upload, state);
        return new BlobStore.BlobStat(state.length(), new BlobStore.Version(etag));
    }

    /** An upload that never filled a part: its tail, copied on the server, or an empty object. */
    private String commitTail(UUID upload, S3UploadState state, String target) {
        if (state.tail() == 0) {
            return bucket.put(target, new byte[0], 0);
        }
        String tail = bucket.keys.tail(upload);
        long stored = bucket.head(tail).map(HeadObjectResponse::contentLength).orElseThrow(() -> S3Bucket.noSuchKey(tail));
        if (stored != state.tail()) { // an append that failed after writing the tail: its extra bytes do not count
            byte[] bytes = tail(upload, state);
            return bucket.put(target, bytes, bytes.length);
        }
        return bucket.copy(tail, target, null);
    }

    private String commitMultipart(UUID upload, S3UploadState state, String target) {
        String key = bucket.keys.data(upload);
        List<CompletedPart> parts = new ArrayList<>();
        state.parts().forEach(part -> parts.add(CompletedPart.builder().partNumber(part.number()).eTag(part.etag()).build()));
        if (state.tail() > 0) {
            int number = parts.size() + 1;
            String etag = bucket.client.uploadPartCopy(b -> b.sourceBucket(bucket.name).sourceKey(bucket.keys.tail(upload))
                    .copySourceRange("bytes=0-" + (state.tail() - 1)).destinationBucket(bucket.name).destinationKey(key)
                    .uploadId(state.multipart()).partNumber(number)).copyPartResult().eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        }
        bucket.client.completeMultipartUpload(b -> b.bucket(bucket.name).key(key).uploadId(state.multipart())
                .multipartUpload(m -> m.parts(parts)));
        String etag = state.length() <= copyLimit ? bucket.copy(key, target, null) : copyInParts(key, target, state.length());
        bucket.delete(key);
        return etag;
    }

    /** A server-side copy of an object above the single-copy limit: a multipart upload of ranges of the source. */
    private String copyInParts(String source, String target, long size) {
        long part = Math.max(copyLimit, (size + MAX_PARTS - 1) / MAX_PARTS);
        String id = bucket.client.createMultipartUpload(b -> b.bucket(bucket.name).key(target)
                .serverSideEncryption(bucket.encryption())).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += part) {
                int number = parts.size() + 1;
                String range = "bytes=" + offset + "-" + (Math.min(size, offset + part) - 1);
                String etag = bucket.client.uploadPartCopy(b -> b.sourceBucket(bucket.name).sourceKey(source)
                        .copySourceRange(range).destinationBucket(bucket.name).destinationKey(target).uploadId(id)
                        .partNumber(number)).copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            return bucket.client.completeMultipartUpload(b -> b.bucket(bucket.name).key(target).uploadId(id)
                    .multipartUpload(m -> m.parts(parts))).eTag();
        } catch (RuntimeException e) {
            abort(target, id);
            throw e;
        }
    }

    void cancel(UUID upload) {
        state(upload).ifPresent(state -> cancel(upload, state));
    }

    /** Aborts the multipart upload (its parts), then removes the tail and, last, the state that points at them. */
    private void cancel(UUID upload, S3UploadState state) {
        if (state.multipart() != null) {
            abort(bucket.keys.data(upload), state.multipart());
        }
        bucket.delete(bucket.keys.tail(upload));
        bucket.delete(bucket.keys.state(upload));
    }

    private void abort(String key, String id) {
        try {
            bucket.client.abortMultipartUpload(b -> b.bucket(bucket.name).key(key).uploadId(id));
        } catch (SdkException e) {
            if (!S3Bucket.missing(e)) { // completed or aborted already
                throw e;
            }
        }
    }

    /** Every upload with a state object; its size is read from the state. */
    List<BlobStore.UploadFile> list() {
        List<BlobStore.UploadFile> files = new ArrayList<>();
        try (var objects = bucket.list(bucket.keys.uploads())) {
            objects.forEach((S3Object object) -> bucket.keys.stateUpload(object.key()).ifPresent(upload ->
                    state(upload).ifPresent(state ->
                            files.add(new BlobStore.UploadFile(upload, state.length(), object.lastModified())))));
        }
        return files;
    }
}
