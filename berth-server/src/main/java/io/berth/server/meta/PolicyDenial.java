package io.berth.server.meta;

/**
 * A write that the registry's own rules forbid — an immutable tag moved or deleted, a quota exceeded — refused inside
 * the index's write transaction, which then rolls back. Every caller of the indexes meets it alike: a push, a client's
 * delete, a retention run, later a replication or a pull-through cache. The HTTP layer answers it with the spec's
 * {@code DENIED} (403) and {@link #getMessage()} as the error's message, which clients show to their users.
 */
public abstract sealed class PolicyDenial extends RuntimeException
        permits ImmutableTagException, QuotaExceededException {

    PolicyDenial(String message) {
        super(message, null, false, false);
    }
}
