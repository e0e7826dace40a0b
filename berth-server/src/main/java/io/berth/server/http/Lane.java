package io.berth.server.http;

import io.vertx.core.http.HttpMethod;

/**
 * Which worker pool a route's blocking work runs on ({@link Workers}). Apart, so that one kind of work waiting
 * cannot starve another: writes waiting for the metadata database's write lock hold write workers only, while reads
 * and the probes that load balancers and Prometheus send keep their own threads.
 */
public enum Lane {
    /** GET and HEAD: queries and file look-ups, which never wait for a lock. */
    READ,
    /** Every other method: work that writes, and may wait for the database up to its wait timeout. */
    WRITE,
    /** {@code /healthz}, {@code /readyz} and {@code /metrics}: two threads of their own, whatever else is busy. */
    PROBE;

    /** The lane of a route's method: {@link #READ} for GET and HEAD, else {@link #WRITE}. */
    static Lane of(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD ? READ : WRITE;
    }
}
