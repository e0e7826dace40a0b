package io.berth.server.auth;

import io.vertx.core.Future;

/**
 * The one seam for authorization: given who asks (the {@code Authorization} header and the client address) and what
 * the request needs (its {@link Scope}s), either a {@link Decision.Grant} or a {@link Decision.Challenge}.
 * {@link OpenAccess} grants everything; {@link PolicyAccess} checks htpasswd users, robot accounts and tokens
 * against the configured policies.
 */
@FunctionalInterface
public interface AccessController {
    /** Decides; the future completes on the caller's context. */
    Future<Decision> authorize(AccessRequest request);
}
