package io.berth.server.http;

import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import io.berth.server.auth.Decision;
import io.berth.server.meta.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.WriteStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * One request to a spec endpoint: its path variables, query, headers and body, plus {@link #blocking} to run
 * database and file-system work off the event loop, on the pool of the route's {@link Lane}. The request arrives paused; reading the body resumes it.
 */
public final class Exchange {
    private final HttpServerRequest request;
    private final PathVariables variables;
    private final Workers workers;
    private final Lane lane;
    private final Decision.Grant grant;
    private final Supplier<RequestContext> contextOf;
    private RequestContext context;

    Exchange(HttpServerRequest request, Supplier<RequestContext> context, PathVariables variables,
             Workers workers, Lane lane, Decision.Grant grant) {
        this.request = request;
        this.variables = variables;
        this.workers = workers;
        this.lane = lane;
        this.grant = grant;
        this.contextOf = context;
    }

    /** Who is asking, through which connection: handlers pass it to the index calls that write, for events. */
    public synchronized RequestContext context() {
        if (context == null) {
            context = contextOf.get(); // made on demand: most requests write nothing that names them
        }
        return context;
    }

    /** Who the access check let in: a user, a robot, a token's subject, or {@code anonymous}. */
    public String actor() {
        return grant.subject().display();
    }

    /** What the access check granted: who the caller is and what they may read. */
    public Decision.Grant grant() {
        return grant;
    }

    /** Whether the caller may pull from {@code repository}: listings show only these, mounts come only from these. */
    public boolean canRead(Repository repository) {
        return grant.canRead(repository);
    }

    /** The client's address, as the access controller counts failed logins by it. */
    public String client() {
        return Router.client(request);
    }

    public HttpServerRequest request() {
        return request;
    }

    public boolean isHead() {
        return request.method() == HttpMethod.HEAD;
    }

    /** The repository named in the path, validated against the spec's grammar. */
    public Repository repository() {
        return Repository.of(variables.get("name"));
    }

    /** A path variable: {@code reference}, {@code digest}, {@code uuid}, {@code type}. */
    public String variable(String name) {
        return variables.get(name);
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(request.getParam(name));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeader(name));
    }

    /**
     * Runs blocking work on the route's worker pool ({@link Lane}); the returned future completes on the request's
     * event loop. On the write lane it may fail with 503 {@code TOOMANYREQUESTS} without running ({@link Workers}).
     */
    public <T> Future<T> blocking(Callable<T> work) {
        return workers.run(lane, work);
    }

    /** Runs blocking work that writes on the write pool, whatever the route's lane: a read's bookkeeping. */
    public <T> Future<T> writing(Callable<T> work) {
        return workers.run(Lane.WRITE, work);
    }

    /**
     * The whole body, refused with 413 {@code SIZE_INVALID} beyond {@code maxBytes} — checked against
     * {@code Content-Length} before reading and against the bytes actually received while reading.
     */
    public Future<Buffer> body(int maxBytes) {
        long declared = header("Content-Length").map(Exchange::parseLength).orElse(-1L);
        if (declared > maxBytes) {
            return Future.failedFuture(ErrorCode.SIZE_INVALID.exception(413,
                    "body of " + declared + " bytes exceeds the limit of " + maxBytes));
        }
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 1024);
        request.handler(chunk -> {
            if (body.length() + chunk.length() > maxBytes) {
                request.handler(null);
                promise.tryFail(ErrorCode.SIZE_INVALID.exception(413, "body exceeds the limit of " + maxBytes + " bytes"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(promise::tryFail);
        request.endHandler(v -> promise.tryComplete(body));
        request.resume();
        return promise.future();
    }

    /** Streams the body into {@code target} with back-pressure; ends {@code target} when the body ends. */
    public Future<Void> pipeBodyTo(WriteStream<Buffer> target) {
        return request.pipeTo(target);
    }

    /**
     * Parses a {@code Content-Length} value, RFC 9110's {@code 1*DIGIT} in ASCII ({@link Long#parseLong} would take
     * {@code +5} and {@code ١٢}); a malformed one, or one past a long, is {@code SIZE_INVALID}.
     */
    public static long parseLength(String value) {
        String digits = value.trim();
        try {
            if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException();
            }
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw ErrorCode.SIZE_INVALID.exception("invalid Content-Length: " + value);
        }
    }
}
