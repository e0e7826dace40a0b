package io.berth.server.blob;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Uploads on S3 (blocking). An object cannot be appended to, and S3 wants every part of a multipart upload but the
 * last to be at least 5 MiB while clients send chunks of any size. So full parts go up as objects of their own as
 * they fill ({@code uploads/<id>/part-00001}, …), and what is left of a request below a part is spooled to the tail
 * object, which the next append, on whichever node, reads back (less than a part) and puts in front of its bytes.
 * {@link S3UploadState} says how far the upload got, so that any node can go on.
 *
 * <p>Parts are objects rather than parts of a multipart upload started at once because S3 does not serve the parts of
 * an unfinished multipart upload, and an upload must be readable before its commit (to rebuild its hash). Commit never
 * reads the data back: an upload that never filled a part is its tail, copied on the server to the blob's key;
 * otherwise a multipart upload is started on the blob's key and assembled by server-side UploadPartCopy from the part
 * objects and the tail (the last part may be small), then completed. Either way the data is copied once, on the
 * server, and there is no 5 GiB single-copy limit to work around.
 */
final class S3Uploads {
    /** S3's smallest part but the last: {@value} bytes. */
    static final int MIN_PART = 5 << 20;
    /** The user metadata that names a committed copy of a blob ({@code x-amz-meta-berth-version}). */
    static final String VERSION = "berth-version";
    private static final int MAX_PARTS = 10_000;

    private final S3Bucket bucket;
    private final int partSize;
    private final ExecutorService copies;

    /**
     * @param partSize the size of the first thousand parts; later ones grow (see {@link #partSize(int)})
     * @param copies   where a commit's part copies and a cancel's deletes run side by side: each is a request that
     *                 waits for the store, a 1 GiB blob has 205 parts, and one after the other they took a client's
     *                 patience
     */
    S3Uploads(S3Bucket bucket, int partSize, ExecutorService copies) {
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("S3 parts are at least 5 MiB, was " + partSize);
        }
        this.bucket = bucket;
        this.partSize = partSize;
        this.copies = copies;
    }

    /** Runs the calls on the copy pool, side by side, and returns their results in order; the first failure is thrown. */
    private <T> List<T> together(List<Callable<T>> calls) {
        if (calls.size() == 1) {
            try {
                return List.of(calls.get(0).call());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        List<Future<T>> running = calls.stream().map(copies::submit).toList();
        List<T> results = new ArrayList<>();
        try {
            for (Future<T> call : running) {
                results.add(call.get());
            }
            return results;
        } catch (ExecutionException e) {
            running.forEach(call -> call.cancel(false));
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            running.forEach(call -> call.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying parts", e);
        }
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

    private void putState(UUID upload, S3UploadState state) {
        byte[] json = state.toJson();
        bucket.put(bucket.keys.state(upload), json, json.length);
    }

    /** The state of an upload that is to be appended to at {@code offset}, which must be its length. */
    S3UploadState stateAt(UUID upload, long offset) {
        S3UploadState state = existingState(upload);
        if (state.length() != offset) {
            throw ErrorCode.BLOB_UPLOAD_INVALID.exception(416, "upload " + upload + " has " + state.length()
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A whole request body at {@code offset}: behind the tail, full parts go up, the rest becomes the tail. */
    void append(UUID upload, long offset, byte[] bytes) {
        S3UploadState state = stateAt(upload, offset);
        if (bytes.length == 0) {
            return;
        }
        byte[] tail = tail(upload, state);
        byte[] all = new byte[tail.length + bytes.length];
        System.arraycopy(tail, 0, all, 0, tail.length);
        System.arraycopy(bytes, 0, all, tail.length, bytes.length);
        int start = 0;
        int size;
        while (all.length - start >= (size = partSize(state.parts().size() + 1))) {
            state = uploadPart(upload, state, S3PartBody.of(Arrays.copyOfRange(all, start, start + size), size), size);
            start += size;
        }
        if (start < all.length) {
            int rest = all.length - start;
            putTail(upload, state, S3PartBody.of(Arrays.copyOfRange(all, start, all.length), rest), rest);
        }
    }

    /** Stores the next full part and records it; returns the state that includes it. */
    S3UploadState uploadPart(UUID upload, S3UploadState state, RequestBody body, long length) {
        int number = state.parts().size() + 1;
        String etag = bucket.put(bucket.keys.part(upload, number), body, length);
        S3UploadState next = state.withPart(etag, length);
        putState(upload, next);
        return next;
    }

    /** Spools the bytes after the last part to the tail object and records them. */
    S3UploadState putTail(UUID upload, S3UploadState state, RequestBody body, long length) {
        if (length > 0) {
            bucket.put(bucket.keys.tail(upload), body, length);
        }
        S3UploadState next = state.withTail(length);
        putState(upload, next);
        return next;
    }

    /** The upload's bytes from the start: its parts, then the counted bytes of its tail, each opened when reached. */
    InputStream read(UUID upload) {
        S3UploadState state = existingState(upload);
        List<String> keys = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        state.parts().forEach(part -> {
            keys.add(bucket.keys.part(upload, part.number()));
            sizes.add(part.size());
        });
        if (state.tail() > 0) {
            keys.add(bucket.keys.tail(upload));
            sizes.add(state.tail());
        }
        if (keys.isEmpty()) {
            return new ByteArrayInputStream(new byte[0]);
        }
        Iterator<Integer> next = java.util.stream.IntStream.range(0, keys.size()).iterator();
        return new SequenceInputStream(new java.util.Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                int i = next.next();
                return bucket.read(keys.get(i), 0, sizes.get(i));
            }
        });
    }

    /** Makes the upload the blob {@code digest}, a new copy under a new version; returns the blob's stat. */
    BlobStore.BlobStat commit(UUID upload, Digest expected, Digest actual) {
        if (!expected.equals(actual)) {
            cancel(upload);
            throw ErrorCode.DIGEST_INVALID.exception("content digest " + actual + " does not match " + expected);
        }
        S3UploadState state = existingState(upload);
        String target = bucket.keys.blob(expected);
        String version = UUID.randomUUID().toString();
        Map<String, String> metadata = Map.of(VERSION, version);
        if (state.parts().isEmpty()) {
            commitTail(upload, state, target, metadata);
        } else {
            assemble(upload, state, target, metadata);
        }
        cancel(upload, state);
        return new BlobStore.BlobStat(state.length(), new BlobStore.Version(version));
    }

    /** An upload that never filled a part: its tail, copied on the server, or an empty object. */
    private void commitTail(UUID upload, S3UploadState state, String target, Map<String, String> metadata) {
        if (state.tail() == 0) {
            bucket.put(target, S3PartBody.of(new byte[0], 0), 0, metadata);
            return;
        }
        String tail = bucket.keys.tail(upload);
        long stored = bucket.head(tail).map(HeadObjectResponse::contentLength).orElseThrow(() -> S3Bucket.noSuchKey(tail));
        if (stored != state.tail()) { // an append that failed after writing the tail: its extra bytes do not count
            byte[] bytes = tail(upload, state);
            bucket.put(target, S3PartBody.of(bytes, bytes.length), bytes.length, metadata);
        } else {
            bucket.copy(tail, target, null, metadata);
        }
    }

    /** A multipart upload on the blob's key, assembled on the server from the part objects and the tail. */
    private void assemble(UUID upload, S3UploadState state, String target, Map<String, String> metadata) {
        String id = bucket.client.createMultipartUpload(b -> b.bucket(bucket.name).key(target).metadata(metadata)
                .serverSideEncryption(bucket.encryption())).uploadId();
        try {
            List<Callable<CompletedPart>> copying = new ArrayList<>();
            for (S3UploadState.Part part : state.parts()) {
                copying.add(() -> copyPart(bucket.keys.part(upload, part.number()), part.size(), target, id,
                        part.number()));
            }
            if (state.tail() > 0) {
                int last = state.parts().size() + 1;
                copying.add(() -> copyPart(bucket.keys.tail(upload), state.tail(), target, id, last));
            }
            List<CompletedPart> parts = together(copying);
            bucket.client.completeMultipartUpload(b -> b.bucket(bucket.name).key(target).uploadId(id)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            abort(target, id);
            throw e;
        }
    }

    private CompletedPart copyPart(String source, long size, String target, String id, int number) {
        String etag = bucket.client.uploadPartCopy(b -> b.sourceBucket(bucket.name).sourceKey(source)
                .copySourceRange("bytes=0-" + (size - 1)).destinationBucket(bucket.name).destinationKey(target)
                .uploadId(id).partNumber(number)).copyPartResult().eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private void abort(String key, String id) {
        try {
            bucket.client.abortMultipartUpload(b -> b.bucket(bucket.name).key(key).uploadId(id));
        } catch (SdkException e) {
            if (!S3Bucket.missing(e)) {
                throw e;
            }
        }
    }

    void cancel(UUID upload) {
        state(upload).ifPresent(state -> cancel(upload, state));
    }

    /**
     * Removes the parts (and the one after them, which an append may have stored without recording), the tail and,
     * last, the state that points at them.
     */
    private void cancel(UUID upload, S3UploadState state) {
        List<Callable<Void>> deletes = new ArrayList<>();
        for (int number = 1; number <= state.parts().size() + 1; number++) {
            String key = bucket.keys.part(upload, number);
            deletes.add(() -> {
                bucket.delete(key);
                return null;
            });
        }
        deletes.add(() -> {
            bucket.delete(bucket.keys.tail(upload));
            return null;
        });
        together(deletes);
        bucket.delete(bucket.keys.state(upload));
    }

    /** Every upload with a state object: one "folder" of the listing each, its size and time from the state. */
    List<BlobStore.UploadFile> list() {
        List<BlobStore.UploadFile> files = new ArrayList<>();
        var pages = bucket.client.listObjectsV2Paginator(b -> b.bucket(bucket.name).prefix(bucket.keys.uploads())
                .delimiter("/"));
        for (CommonPrefix folder : (Iterable<CommonPrefix>) pages.commonPrefixes()::iterator) {
            String stateKey = folder.prefix() + "state";
            bucket.keys.stateUpload(stateKey).ifPresent(upload -> {
                try {
                    ResponseBytes<GetObjectResponse> bytes = bucket.client.getObjectAsBytes(b -> b.bucket(bucket.name)
                            .key(stateKey));
                    S3UploadState state = S3UploadState.fromJson(bytes.asByteArrayUnsafe());
                    files.add(new BlobStore.UploadFile(upload, state.length(), bytes.response().lastModified()));
                } catch (SdkException e) {
                    if (!S3Bucket.missing(e)) { // committed or cancelled while listing
                        throw e;
                    }
                }
            });
        }
        return files;
    }
}
