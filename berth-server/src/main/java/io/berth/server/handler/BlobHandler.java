package io.berth.server.handler;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Repository;
import io.berth.server.blob.BlobIntegrity;
import io.berth.server.blob.BlobStore;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.BlobIndex;
import io.vertx.core.Future;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * GET, HEAD and DELETE {@code /v2/<name>/blobs/<digest>} (end-2, end-10), with ranges and zero-copy sending.
 * HEAD answers from the metadata (from memory when the index caches) and a stat of the file: a blob whose file is
 * missing or has another size is unknown to HEAD as it is to GET, so that a client that checks before it pushes
 * uploads it again. GET re-hashes small blobs before serving them ({@link BlobIntegrity}); larger ones go out from the
 * driver's local file with zero-copy {@code sendFile} (filesystem), else as a {@code 307} to the URL the driver hands
 * out (an S3 presigned GET, when configured), else streamed from the driver's reader with back-pressure.
 */
public final class BlobHandler {
    /** How long a download URL the storage hands out (a presigned GET) stays valid for the client. */
    static final Duration DOWNLOAD_URL_TTL = Duration.ofMinutes(20);
    private final BlobIndex index;
    private final BlobStore store;
    private final BlobIntegrity integrity;
    private final boolean deleteEnabled;

    public BlobHandler(BlobIndex index, BlobStore store, BlobIntegrity integrity, boolean deleteEnabled) {
        this.index = index;
        this.store = store;
        this.integrity = integrity;
        this.deleteEnabled = deleteEnabled;
    }

    public Future<Reply> get(Exchange exchange) {
        Repository repository = exchange.repository();
        Digest digest = Digest.parse(exchange.variable("digest"));
        if (exchange.isHead()) {
            // On the event loop: a stat of a local file is a lookup in the kernel's cache, no slower than the rest
            // of this answer. Anything but the expected file goes the blocking way, which logs and quarantines.
            Optional<Long> cached = index.cachedLinkedBlobSize(repository, digest);
            if (cached.isPresent() && integrity.recentlyPresent(digest, cached.get())) {
                return Future.succeededFuture(head(digest, cached.get()));
            }
        }
        return exchange.blocking(() -> {
            long size = index.linkedBlobSize(repository, digest).orElseThrow(() -> unknown(digest));
            if (exchange.isHead()) {
                integrity.present(digest, size, "HEAD").orElseThrow(() -> unknown(digest));
                return head(digest, size);
            }
            return reply(exchange, digest, integrity.forRead(digest, size).orElseThrow(() -> unknown(digest)));
        });
    }

    private static Reply head(Digest digest, long size) {
        return Reply.status(200).digest(digest).header("ETag", "\"" + digest + "\"")
                .header("Accept-Ranges", "bytes").header("Content-Type", MediaTypes.OCTET_STREAM)
                .header("Content-Length", size);
    }

    private Reply reply(Exchange exchange, Digest digest, BlobIntegrity.Readable blob) {
        String etag = "\"" + digest + "\"";
        if (exchange.header("If-None-Match").filter(etag::equals).isPresent()) {
            return Reply.status(304).digest(digest).header("ETag", etag);
        }
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(exchange.header("Range"), blob.size());
        } catch (ByteRange.Unsatisfiable e) {
            exchange.request().response().putHeader("Content-Range", "bytes */" + blob.size());
            throw ErrorCode.SIZE_INVALID.exception(416, "range " + exchange.header("Range").orElse("")
                    + " is outside the blob's " + blob.size() + " bytes");
        }
        Reply reply = Reply.status(range.isPresent() ? 206 : 200)
                .digest(digest)
                .header("ETag", etag)
                .header("Accept-Ranges", "bytes")
                .header("Cache-Control", "max-age=31536000");
        range.ifPresent(r -> reply.header("Content-Range", r.contentRange(blob.size())));
        ByteRange region = range.orElse(new ByteRange(0, blob.size()));
        if (blob instanceof BlobIntegrity.Verified verified) {
            return reply.bytes(region.start() == 0 && region.length() == verified.size() ? verified.content()
                    : Arrays.copyOfRange(verified.content(), (int) region.start(), (int) (region.start() + region.length())),
                    MediaTypes.OCTET_STREAM);
        }
        Optional<Path> file = store.localFile(digest);
        if (file.isPresent()) {
            return reply.file(file.get(), region.start(), region.length(), MediaTypes.OCTET_STREAM);
        }
        Optional<URI> direct = store.downloadUrl(digest, DOWNLOAD_URL_TTL);
        if (direct.isPresent()) {
            return Reply.status(307).location(direct.get().toString()).digest(digest);
        }
        return reply.stream(store.read(digest, region.start(), region.length()), region.length(),
                MediaTypes.OCTET_STREAM);
    }

    public Future<Reply> delete(Exchange exchange) {
        requireDeletes(deleteEnabled);
        Repository repository = exchange.repository();
        Digest digest = Digest.parse(exchange.variable("digest"));
        return exchange.blocking(() -> {
            if (!index.unlink(repository, digest, exchange.context())) {
                throw unknown(digest);
            }
            return Reply.status(202).digest(digest);
        });
    }

    static void requireDeletes(boolean deleteEnabled) {
        if (!deleteEnabled) {
            throw ErrorCode.UNSUPPORTED.exception("deletes are disabled on this registry");
        }
    }

    private static RuntimeException unknown(Digest digest) {
        return ErrorCode.BLOB_UNKNOWN.exception("blob " + digest + " is unknown to this repository");
    }
}
