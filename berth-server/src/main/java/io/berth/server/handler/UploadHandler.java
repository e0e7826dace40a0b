package io.berth.server.handler;

import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import io.berth.server.blob.BlobIntegrity;
import io.berth.server.blob.UploadSessions;
import io.berth.server.blob.UploadSessions.Progress;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.BlobIndex;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob pushes (end-4a, end-4b, end-5, end-6, end-11, end-13 and cancel): POST to start, to push in one request
 * ({@code ?digest=}) or to mount ({@code ?mount=&from=}, or {@code ?mount=} alone: automatic content discovery);
 * PATCH chunks, with or without {@code Content-Range}; PUT to finish, with or without a last chunk; GET status;
 * DELETE to cancel.
 *
 * <p>Quotas: a push whose size is known before its bytes — a single-request push, or the last chunk of a PUT with a
 * {@code Content-Length} — is refused ({@code DENIED}) before any byte is stored when the blob would take the
 * repository or its namespace past a quota; chunks of unknown total are checked when the upload finishes, and the
 * transaction that links the blob checks again (see {@link BlobIndex#admit}).
 */
public final class UploadHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UploadHandler.class);
    /**
     * A single-request push or last chunk up to this size is read whole on the event loop, then written, hashed,
     * synced and linked in one blocking step: for the many small blobs of an image (configs, signatures, SBOMs) that
     * saves the thread hops of streaming. Larger bodies stream to the file with back-pressure.
     */
    static final int SMALL_BODY = 64 << 10;
    static final int MOUNT_SOURCE_PAGE = 200;
    static final int MOUNT_SOURCE_PAGES = 50;

    private final UploadSessions sessions;
    private final BlobIndex blobs;
    private final BlobIntegrity integrity;

    public UploadHandler(UploadSessions sessions, BlobIndex blobs, BlobIntegrity integrity) {
        this.sessions = sessions;
        this.blobs = blobs;
        this.integrity = integrity;
    }

    public Future<Reply> post(Exchange exchange) {
        Repository repository = exchange.repository();
        Optional<Digest> mount = exchange.query("mount").map(Digest::parse);
        Optional<Repository> from = exchange.query("from").map(Repository::of);
        Optional<Digest> digest = exchange.query("digest").map(Digest::parse);
        if (mount.isPresent()) {
            return exchange.blocking(() -> mount(exchange, repository, mount.get(), from)
                    .orElseGet(() -> started(repository, sessions.start(repository).id(), 0, 202)));
        }
        // A push in one request whose client never learns the session: when it fails, the session goes at once.
        if (digest.isPresent() && smallBody(exchange)) {
            return exchange.body(SMALL_BODY).compose(body -> exchange.blocking(() -> {
                blobs.admit(repository, digest.get(), body.length());
                Progress progress = sessions.startClaimed(repository);
                try {
                    return writeAndFinish(repository, progress, body.getBytes(), digest.get());
                } catch (RuntimeException e) {
                    sessions.abandon(progress, e);
                    throw e;
                }
            }));
        }
        if (digest.isPresent()) {
            return exchange.blocking(() -> {
                        declaredLength(exchange).ifPresent(size -> blobs.admit(repository, digest.get(), size));
                        return sessions.startClaimed(repository);
                    })
                    .compose(progress -> appendAndFinish(exchange, repository, progress, digest.get())
                            .recover(failure -> exchange.blocking(() -> {
                                sessions.abandon(progress, failure);
                                return null;
                            }).transform(done -> Future.failedFuture(failure))));
        }
        return exchange.blocking(() -> started(repository, sessions.start(repository).id(), 0, 202));
    }

    /**
     * Links the blob from {@code from} (or, without it, from any repository that has it); empty when it cannot, or
     * when the caller may not pull from the source.
     */
    private Optional<Reply> mount(Exchange exchange, Repository repository, Digest digest, Optional<Repository> from) {
        // Mounting needs pull on the source; without it this is a normal upload, which tells nothing of the source.
        Optional<Repository> source = from.isPresent()
                ? from.filter(exchange::canRead).filter(f -> blobs.linkedBlobSize(f, digest).isPresent())
                : readableRepositoryWith(exchange, digest);
        // Nor does a blob whose bytes are missing or quarantined (the metadata alone would make the client believe
        // the registry has it), nor one that garbage collection is deleting: the client uploads it instead. One that
        // would exceed a quota of the repository is refused (DENIED): an upload of it would be too.
        return source.filter(s -> blobs.linkedBlobSize(s, digest)
                        .flatMap(size -> integrity.present(digest, size, "mount into " + repository)).isPresent())
                .filter(s -> blobs.mount(repository, digest)).map(s -> created(repository, digest));
    }

    /**
     * The first repository by name that holds the blob and that the caller may read: the source of an automatic
     * mount. Only readable repositories count, so whether the answer is 201 or 202 says nothing about the others.
     * Looks through at most {@link #MOUNT_SOURCE_PAGES} pages of {@link #MOUNT_SOURCE_PAGE} repositories; past that
     * the push is an ordinary upload.
     */
    private Optional<Repository> readableRepositoryWith(Exchange exchange, Digest digest) {
        String after = "";
        for (int page = 0; page < MOUNT_SOURCE_PAGES; page++) {
            List<Repository> holders = blobs.repositoriesWith(digest, after, MOUNT_SOURCE_PAGE);
            Optional<Repository> readable = holders.stream().filter(exchange::canRead).findFirst();
            if (readable.isPresent() || holders.size() < MOUNT_SOURCE_PAGE) {
                return readable;
            }
            after = holders.get(holders.size() - 1).name();
        }
        return Optional.empty();
    }

    public Future<Reply> patch(Exchange exchange) {
        Repository repository = exchange.repository();
        UUID id = uploadId(exchange);
        Optional<ByteRange> range = exchange.header("Content-Range").map(ByteRange::ofContentRange);
        return exchange.blocking(() -> claimAt(exchange, repository, id, range))
                .compose(progress -> released(exchange, progress, sessions.append(progress, exchange.request())))
                .map(length -> started(repository, id, length, 202));
    }

    public Future<Reply> put(Exchange exchange) {
        Repository repository = exchange.repository();
        UUID id = uploadId(exchange);
        Digest digest = Digest.parse(exchange.query("digest")
                .orElseThrow(() -> ErrorCode.DIGEST_INVALID.exception("the digest query parameter is required")));
        Optional<ByteRange> range = exchange.header("Content-Range").map(ByteRange::ofContentRange);
        boolean hasBody = exchange.header("Content-Length").map(Exchange::parseLength).map(n -> n > 0)
                .orElse(exchange.header("Transfer-Encoding").isPresent());
        if (!hasBody) {
            return exchange.blocking(() -> {
                sessions.finish(repository, id, digest, Optional.empty());
                return created(repository, digest);
            });
        }
        if (smallBody(exchange)) {
            return exchange.body(SMALL_BODY).compose(body -> exchange.blocking(() -> writeAndFinish(repository,
                    admitted(claimAt(exchange, repository, id, range), repository, digest, body.length()),
                    body.getBytes(), digest)));
        }
        return exchange.blocking(() -> {
                    Progress progress = claimAt(exchange, repository, id, range);
                    return declaredLength(exchange).isPresent()
                            ? admitted(progress, repository, digest, declaredLength(exchange).get())
                            : progress;
                })
                .compose(progress -> appendAndFinish(exchange, repository, progress, digest));
    }

    /**
     * The claimed session, once the blob it will be — what it holds plus the last chunk of {@code chunk} bytes — fits
     * the repository's quotas; else the claim is released and the push refused before the chunk is stored. The
     * session stays: a client may free space and send the chunk again.
     */
    private Progress admitted(Progress progress, Repository repository, Digest digest, long chunk) {
        try {
            blobs.admit(repository, digest, progress.length() + chunk);
            return progress;
        } catch (RuntimeException e) {
            sessions.release(progress);
            throw e;
        }
    }

    /** The body's size when the request declares it ({@code Content-Length} without chunked transfer). */
    private static Optional<Long> declaredLength(Exchange exchange) {
        return exchange.header("Transfer-Encoding").isPresent() ? Optional.empty()
                : exchange.header("Content-Length").map(Exchange::parseLength).filter(n -> n >= 0);
    }

    /** A body of at most {@link #SMALL_BODY} bytes by its {@code Content-Length}. */
    private static boolean smallBody(Exchange exchange) {
        return exchange.header("Transfer-Encoding").isEmpty()
                && exchange.header("Content-Length").map(Exchange::parseLength).filter(n -> n <= SMALL_BODY).isPresent();
    }

    /** Blocking: writes a body read whole into the claimed session and finishes it as {@code digest}. */
    private Reply writeAndFinish(Repository repository, Progress progress, byte[] body, Digest digest) {
        try {
            sessions.write(progress, body);
        } catch (RuntimeException e) {
            sessions.release(progress);
            throw e;
        }
        sessions.finish(repository, progress.id(), digest, Optional.of(progress));
        return created(repository, digest);
    }

    /**
     * Once {@code work} is done, releases the claim off the event loop (which saves the session's hash state for the
     * next request, on any node) and completes as {@code work} did: the answer waits for the release, so that the
     * client's next request finds the session free.
     */
    private <T> Future<T> released(Exchange exchange, Progress progress, Future<T> work) {
        return work.transform(done -> exchange.blocking(() -> {
            sessions.release(progress);
            return null;
        }).transform(release -> {
            if (release.failed()) { // the claim lapses with its lease; what the request did stands
                LOG.warn("releasing upload {} failed: {}", progress.id(), release.cause().toString());
            }
            return done.succeeded() ? Future.succeededFuture(done.result()) : Future.failedFuture(done.cause());
        }));
    }

    /** Streams the body into the claimed session, then finishes it as {@code digest}, keeping the claim throughout. */
    private Future<Reply> appendAndFinish(Exchange exchange, Repository repository, Progress progress, Digest digest) {
        Future<Long> appended = sessions.append(progress, exchange.request());
        return appended.recover(failure -> released(exchange, progress, appended))
                .compose(length -> exchange.blocking(() -> {
                    sessions.finish(repository, progress.id(), digest, Optional.of(progress));
                    return created(repository, digest);
                }));
    }

    private static Reply created(Repository repository, Digest digest) {
        return Reply.status(201).location(Endpoint.BLOB.path(repository, digest)).digest(digest);
    }

    public Future<Reply> status(Exchange exchange) {
        Repository repository = exchange.repository();
        UUID id = uploadId(exchange);
        return exchange.blocking(() -> {
            sessions.find(repository, id);
            return started(repository, id, sessions.length(id), 204);
        });
    }

    public Future<Reply> cancel(Exchange exchange) {
        Repository repository = exchange.repository();
        UUID id = uploadId(exchange);
        return exchange.blocking(() -> {
            sessions.cancel(repository, id);
            return Reply.status(204);
        });
    }

    /** Claims the session; a chunk that does not start where the session stands is 416 with the session's Range. */
    private Progress claimAt(Exchange exchange, Repository repository, UUID id, Optional<ByteRange> range) {
        Progress progress = sessions.claim(repository, id);
        if (range.isPresent() && range.get().start() != progress.length()) {
            sessions.release(progress);
            exchange.request().response().putHeader("Range", rangeHeader(progress.length()))
                    .putHeader("Location", Endpoint.UPLOAD.path(repository, id))
                    .putHeader("Docker-Upload-UUID", id.toString());
            throw ErrorCode.BLOB_UPLOAD_INVALID.exception(416, "chunk starts at " + range.get().start()
                    + " but the upload has " + progress.length() + " bytes");
        }
        if (range.isPresent()) {
            long declared = exchange.header("Content-Length").map(Exchange::parseLength).orElse(-1L);
            long expected = range.get().length();
            if (declared >= 0 && declared != expected) {
                sessions.release(progress);
                throw ErrorCode.SIZE_INVALID.exception("Content-Length " + declared
                        + " does not match Content-Range of " + expected + " bytes");
            }
        }
        return progress;
    }

    private static Reply started(Repository repository, UUID id, long length, int status) {
        return Reply.status(status)
                .location(Endpoint.UPLOAD.path(repository, id))
                .header("Range", rangeHeader(length))
                .header("Docker-Upload-UUID", id);
    }

    /** The spec's {@code Range: 0-<end>} of the bytes received (Distribution answers {@code 0-0} when empty). */
    private static String rangeHeader(long length) {
        return "0-" + Math.max(0, length - 1);
    }

    private static UUID uploadId(Exchange exchange) {
        try {
            return UUID.fromString(exchange.variable("uuid"));
        } catch (IllegalArgumentException e) {
            throw ErrorCode.BLOB_UPLOAD_UNKNOWN.exception("upload " + exchange.variable("uuid") + " is unknown");
        }
    }
}
