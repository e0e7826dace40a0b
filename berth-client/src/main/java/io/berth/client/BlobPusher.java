package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Uploads a blob: {@code POST /v2/<name>/blobs/uploads/}, then one {@code PUT ?digest=} with the content when it is at
 * most {@link ClientOptions#monolithicLimit()}, else chunks of {@link ClientOptions#chunkSize()} (at least the
 * registry's {@code OCI-Chunk-Min-Length}). A blob whose digest is not known in advance is hashed while it streams.
 */
final class BlobPusher {
    private final Transport transport;

    BlobPusher(Transport transport) {
        this.transport = transport;
    }

    /** Uploads content whose descriptor is known. */
    void push(Repository repository, Descriptor blob, BlobSource source, LongConsumer progress) {
        try (InputStream in = source.open()) {
            Session session = start(repository);
            if (blob.size() <= transport.options().monolithicLimit()) {
                byte[] bytes = in.readNBytes((int) blob.size() + 1);
                if (bytes.length != blob.size()) {
                    throw new RegistryClientException(ErrorCode.SIZE_INVALID, 0, "the content of " + blob.digest() + " has "
                            + (bytes.length > blob.size() ? "more" : bytes.length) + " bytes, its descriptor says " + blob.size());
                }
                putWhole(repository, session, blob.digest(), bytes);
                progress.accept(bytes.length);
                return;
            }
            ChunkedUpload upload = session.chunked(blob.size());
            long sent = upload.send(in, progress);
            if (sent != blob.size()) {
                upload.cancel();
                throw new RegistryClientException(ErrorCode.SIZE_INVALID, 0, "the content of " + blob.digest() + " has "
                        + sent + " bytes, its descriptor says " + blob.size());
            }
            upload.finish(blob.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the content of " + blob.digest() + ": " + e.getMessage(), e);
        }
    }

    /** Uploads a stream of unknown digest and size; returns its descriptor. */
    Descriptor push(Repository repository, String mediaType, InputStream in, LongConsumer progress) {
        try {
            int limit = (int) Math.min(transport.options().monolithicLimit(), Integer.MAX_VALUE - 16);
            byte[] head = in.readNBytes(limit + 1);
            if (head.length <= limit) {
                Descriptor blob = Descriptor.of(mediaType, Digest.sha256(head), head.length);
                if (new BlobChecker(transport).check(repository, blob.digest()).isEmpty()) {
                    putWhole(repository, start(repository), blob.digest(), head);
                }
                progress.accept(head.length);
                return blob;
            }
            MessageDigest hash = Digest.Algorithm.SHA256.newMessageDigest();
            InputStream all = new DigestInputStream(new SequenceInputStream(new ByteArrayInputStream(head), in), hash);
            ChunkedUpload upload = start(repository).chunked(-1);
            long size = upload.send(all, progress);
            Digest digest = Digest.of(Digest.Algorithm.SHA256, hash.digest());
            upload.finish(digest);
            return Descriptor.of(mediaType, digest, size);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the content to upload: " + e.getMessage(), e);
        }
    }

    private record Session(Transport transport, Repository repository, java.net.URI location, long minChunk) {
        ChunkedUpload chunked(long size) {
            int chunk = (int) Math.max(transport.options().chunkSize(), minChunk);
            return new ChunkedUpload(transport, repository, location, chunk);
        }
    }

    private Session start(Repository repository) {
        Call call = Call.of("POST", transport.uri(Endpoint.UPLOADS, new Object[] {repository}), Scope.push(repository))
                .body(new byte[0]);
        try (Response response = transport.send(call)) {
            if (response.status() != 202) {
                throw response.error();
            }
            response.bytes();
            long min = response.header("OCI-Chunk-Min-Length").map(Long::parseLong).orElse(0L);
            return new Session(transport, repository, response.location(), Math.min(min, Integer.MAX_VALUE - 16));
        }
    }

    private void putWhole(Repository repository, Session session, Digest digest, byte[] bytes) {
        Call call = Call.of("PUT", Transport.withQuery(session.location(), Map.of("digest", digest.toString())), Scope.push(repository))
                .header("Content-Type", MediaTypes.OCTET_STREAM).body(bytes);
        try (Response response = transport.send(call)) {
            if (response.status() != 201) {
                throw response.error();
            }
            response.bytes();
        }
    }

}
