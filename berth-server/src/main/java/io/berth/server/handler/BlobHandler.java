package io.berth.server.handler;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Repository;
import io.berth.server.blob.BlobStore;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.BlobIndex;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * GET, HEAD and DELETE {@code /v2/<name>/blobs/<digest>} (end-2, end-10), with ranges and zero-copy sending.
 * HEAD answers from the metadata alone, without touching the file system, and from memory when the index caches.
 */
public final class BlobHandler {
    private final BlobIndex index;
    private final BlobStore store;
    private final boolean deleteEnabled;

    public BlobHandler(BlobIndex index, BlobStore store, boolean deleteEnabled) {
        this.index = index;
        this.store = store;
        this.deleteEnabled = deleteEnabled;
    }

    public Future<Reply> get(Exchange exchange) {
        Repository repository = exchange.repository();
        Digest digest = Digest.parse(exchange.variable("digest"));
        if (exchange.isHead()) {
            Optional<Long> cached = index.cachedLinkedBlobSize(repository, digest);
            if (cached.isPresent()) {
                return Future.succeededFuture(head(digest, cached.get()));
            }
        }
        return exchange.blocking(() -> {
            long size = index.linkedBlobSize(repository, digest).orElseThrow(() -> unknown(digest));
            if (exchange.isHead()) {
                return head(digest, size);
            }
            BlobStore.LocalBlob blob = store.blob(digest).orElseThrow(() -> unknown(digest));
            return reply(exchange, digest, blob);
        });
    }

    private static Reply head(Digest digest, long size) {
        return Reply.status(200).digest(digest).header("ETag", "\"" + digest + "\"")
                .header("Accept-Ranges", "bytes").header("Content-Type", MediaTypes.OCTET_STREAM)
                .header("Content-Length", size);
    }

    private static Reply reply(Exchange exchange, Digest digest, BlobStore.LocalBlob blob) {
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
        return reply.file(blob.path(), region.start(), region.length(), MediaTypes.OCTET_STREAM);
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
