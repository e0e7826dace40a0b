package io.berth.server.auth;

import io.vertx.core.Future;

/** No authorization configured: every request is granted, to an anonymous caller who may read everything. */
public final class OpenAccess implements AccessController {
    public static final OpenAccess INSTANCE = new OpenAccess();
    private static final Future<Decision> GRANTED = Future.succeededFuture(Decision.Grant.OPEN);

    private OpenAccess() {
    }

    @Override
    public Future<Decision> authorize(AccessRequest request) {
        return GRANTED;
    }
}
