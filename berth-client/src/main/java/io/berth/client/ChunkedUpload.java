package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * One upload session after {@code POST /v2/<name>/blobs/uploads/}: {@code PATCH} chunks with {@code Content-Range},
 * then {@code PUT ?digest=}. A chunk that fails (a network error, a 5xx, or a 416 because the registry has a
 * different length) is resumed: {@code GET} the upload's status, read {@code Range: 0-<last>}, and send the rest of
 * the chunk from there. Only the current chunk is kept in memory, so a stream is uploaded without temporary files.
 */
final class ChunkedUpload {
    private static final int ATTEMPTS_PER_CHUNK = 4;

    private final Transport transport;
    private final Repository repository;
    private final int chunkSize;
    private URI location;
    private long offset;

    ChunkedUpload(Transport transport, Repository repository, URI location, int chunkSize) {
        this.transport = transport;
        this.repository = repository;
        this.location = location;
        this.chunkSize = chunkSize;
    }

    long offset() {
        return offset;
    }

    /** Sends the whole stream in chunks; returns the number of bytes sent. */
    long send(InputStream in, LongConsumer progress) {
        byte[] buffer = new byte[chunkSize];
        try {
            for (int n; (n = in.readNBytes(buffer, 0, chunkSize)) > 0; ) {
                sendChunk(buffer, n);
                progress.accept(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the content to upload: " + e.getMessage(), e);
        }
        return offset;
    }

    /** {@code PUT <location>?digest=}: commits the upload. */
    void finish(Digest digest) {
        Call call = Call.of("PUT", Transport.withQuery(location, Map.of("digest", digest.toString())), Scope.push(repository))
                .header("Content-Type", MediaTypes.OCTET_STREAM).body(new byte[0]);
        try (Response response = transport.send(call)) {
            if (response.status() != 201) {
                throw response.error();
            }
            response.bytes();
        }
    }

    /** Abandons the session (best effort). */
    void cancel() {
        try (Response response = transport.send(Call.of("DELETE", location, Scope.push(repository)))) {
            response.bytes();
        } catch (RuntimeException ignored) {
            // the registry expires abandoned uploads
        }
    }

    private void sendChunk(byte[] buffer, int length) {
        long chunkStart = offset;
        int from = 0;
        RegistryClientException failure = null;
        for (int attempt = 0; attempt < ATTEMPTS_PER_CHUNK; attempt++) {
            try {
                if (patch(buffer, from, length, chunkStart + from)) {
                    offset = chunkStart + length;
                    return;
                }
            } catch (RegistryClientException e) {
                if (e.status() != 0 && e.status() < 500 && e.status() != 416) {
                    throw e;
                }
                failure = e;
            }
            long received = status();
            if (received < chunkStart || received > chunkStart + length) {
                throw new RegistryClientException(ErrorCode.BLOB_UPLOAD_INVALID, 0, "the registry holds " + received
                        + " bytes of the upload, outside the chunk " + chunkStart + "-" + (chunkStart + length - 1)
                        + " that failed; push again");
            }
            from = (int) (received - chunkStart);
            if (from == length) {
                offset = received;
                return;
            }
        }
        throw failure != null ? failure : new RegistryClientException(ErrorCode.BLOB_UPLOAD_INVALID, 0,
                "the chunk at " + chunkStart + " failed " + ATTEMPTS_PER_CHUNK + " times");
    }

    /** True when the registry took the chunk; false (or an exception) when it must be resumed. */
    private boolean patch(byte[] buffer, int from, int length, long start) {
        Call call = Call.of("PATCH", location, Scope.push(repository))
                .header("Content-Type", MediaTypes.OCTET_STREAM)
                .header("Content-Range", start + "-" + (start + length - from - 1))
                .body(() -> HttpRequest.BodyPublishers.ofByteArray(buffer, from, length - from));
        try (Response response = transport.send(call)) {
            if (response.status() == 202) {
                response.bytes();
                location = response.location();
                return true;
            }
            if (response.status() >= 500 || response.status() == 416) {
                response.bytes();
                return false;
            }
            throw response.error();
        }
    }

    /** {@code GET <location>}: how many bytes the registry holds ({@code Range: 0-<last>}). */
    private long status() {
        try (Response response = transport.send(Call.of("GET", location, Scope.push(repository)))) {
            if (response.status() != 204 && response.status() != 200) {
                throw response.error();
            }
            response.bytes();
            if (response.header("Location").isPresent()) {
                location = response.location();
            }
            String range = response.header("Range").orElse("0-0");
            long last = Long.parseLong(range.substring(range.indexOf('-') + 1).trim());
            return last == 0 ? 0 : last + 1; // Distribution answers 0-0 for an empty upload
        }
    }
}
