package io.berth.server.http;

/**
 * Told of every request the {@link Router} answered, once its response is complete (or its connection gone): the
 * metrics and the access log. Runs on the request's event loop, so it must be quick and must not block.
 */
@FunctionalInterface
public interface RequestObserver {
    /** Observes nothing: the router then keeps no per-request record at all. */
    RequestObserver NONE = request -> { };

    void completed(ServedRequest request);

    /** This observer, then {@code next}. */
    default RequestObserver andThen(RequestObserver next) {
        if (this == NONE) {
            return next;
        }
        return next == NONE ? this : request -> {
            completed(request);
            next.completed(request);
        };
    }
}
