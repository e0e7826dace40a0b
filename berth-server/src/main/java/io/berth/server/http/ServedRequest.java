package io.berth.server.http;

import io.berth.server.auth.Subject;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * One request as its {@link RequestObserver}s see it once it is answered: the route it matched, who the access check
 * let in, its status, bytes and duration. The router fills it in on the request's event loop, where the observers
 * read it too; one per request, so that observing costs one small object.
 */
public final class ServedRequest implements Handler<Void> {
    /**
     * The status of a request whose connection closed before its response was complete (the client left, or the
     * answer broke off): nginx's 499, as no status was sent.
     */
    public static final int CLOSED_EARLY = 499;

    private final HttpServerRequest request;
    private final RequestId id;
    private final long startMillis;
    private final long startNanos;
    private final RequestObserver observer;
    private Route route;
    private Subject subject;
    private long durationNanos;
    private int status;

    ServedRequest(HttpServerRequest request, RequestId id, RequestObserver observer) {
        this.request = request;
        this.id = id;
        this.observer = observer;
        this.startMillis = System.currentTimeMillis();
        this.startNanos = System.nanoTime();
    }

    void matched(Route route) {
        this.route = route;
    }

    void admitted(Subject subject) {
        this.subject = subject;
    }

    /** The response ended, or its connection closed: tell the observer. */
    @Override
    public void handle(Void ended) {
        durationNanos = System.nanoTime() - startNanos;
        status = request.response().ended() ? request.response().getStatusCode() : CLOSED_EARLY;
        observer.completed(this);
    }

    public HttpServerRequest request() {
        return request;
    }

    /** The route that answered; null when none did (no such path or method, a malformed target: 400, 404, 405). */
    public Route route() {
        return route;
    }

    /** Who the access check let in: a user or robot name, or {@code anonymous}; null for public routes and refusals. */
    public String user() {
        return subject == null || subject.isAnonymous() ? null : subject.name();
    }

    /** When the router got the request, in epoch milliseconds. */
    public long startMillis() {
        return startMillis;
    }

    /** From the router getting the request to the end of its response. */
    public long durationNanos() {
        return durationNanos;
    }

    /** The status sent, or {@link #CLOSED_EARLY}. */
    public int status() {
        return status;
    }

    /** Body bytes received. */
    public long bytesIn() {
        return request.bytesRead();
    }

    /** Body bytes sent. */
    public long bytesOut() {
        return request.response().bytesWritten();
    }

    /** The request's id when it has one: one something named (an error, an audit line, an event) or the client's. */
    public String requestId() {
        return id.known();
    }

    /** The client's address, as the access controller counts failed logins by it. */
    public String client() {
        return Router.client(request);
    }
}
