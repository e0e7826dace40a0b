package io.berth.server.readiness;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.berth.server.http.RouteHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the registry takes writes: read-only mode. The operator switches it on and off ({@code storage.readOnly},
 * {@code POST /api/v1/admin/read-only}); the {@link ReadinessProbe} switches it on by itself while the storage or the
 * database cannot take writes or free space is below {@code storage.minFreeSpace}, and off again once they can. In
 * read-only mode reads work and writes (pushes, deletes, mounts, garbage collection's deletions) are refused with 503
 * {@code DENIED} and a message that says why, before a byte is written: a client never gets half of a write.
 *
 * <p>Garbage collection and upload expiry keep running while the registry is read-only by itself (they free the space
 * it waits for), but not while the operator made it read-only (a backup or a migration expects no file to change).
 */
public final class WriteAccess {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAccess.class);
    /** What a client is told to wait before it tries again, while the registry heals by itself. */
    static final int RETRY_AFTER_SECONDS = 30;

    private final Clock clock;
    private final AtomicReference<Optional<Manual>> manual;
    private volatile List<String> automatic = List.of();

    /** The operator's read-only mode: why, and since when. */
    public record Manual(String reason, Instant since) {
    }

    public WriteAccess(boolean readOnly, Clock clock) {
        this.clock = clock;
        this.manual = new AtomicReference<>(readOnly
                ? Optional.of(new Manual("storage.readOnly is set in the configuration", clock.instant()))
                : Optional.empty());
    }

    /** The operator's read-only mode, if it is on. */
    public Optional<Manual> manual() {
        return manual.get();
    }

    /** Switches the operator's read-only mode on (with its reason) or off; logged. */
    public void setManual(boolean readOnly, String reason) {
        Optional<Manual> before = manual.getAndSet(readOnly ? Optional.of(new Manual(reason, clock.instant()))
                : Optional.empty());
        if (before.isPresent() != readOnly) {
            LOG.warn(readOnly ? "the registry is read-only now, by the operator: {}" : "the operator ended read-only mode{}",
                    readOnly ? reason : "");
        }
    }

    /** Why the registry turned read-only by itself, empty when it did not. */
    public List<String> automatic() {
        return automatic;
    }

    /** Set by the probe after each check: why writes cannot succeed now, empty when they can. */
    void setAutomatic(List<String> reasons) {
        List<String> before = automatic;
        automatic = List.copyOf(reasons);
        if (before.isEmpty() && !reasons.isEmpty()) {
            LOG.error("the registry is read-only until this is fixed: {}", String.join("; ", reasons));
        } else if (!before.isEmpty() && reasons.isEmpty()) {
            LOG.warn("the registry takes writes again: {} no longer holds", String.join("; ", before));
        }
    }

    /** Why writes are refused now, empty when they are not. */
    public Optional<String> refusal() {
        Optional<Manual> m = manual.get();
        if (m.isPresent()) {
            return Optional.of("the operator made it read-only: " + m.get().reason());
        }
        List<String> reasons = automatic;
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /** Why garbage collection may not delete now: only the operator's read-only mode stops it. */
    public Optional<String> deletionsRefused() {
        return manual.get().map(m -> "the registry is read-only: the operator made it read-only: " + m.reason()
                + " (POST /api/v1/admin/read-only?enabled=false ends it)");
    }

    /** Throws the read-only error when writes are refused. */
    public void requireWritable() {
        Optional<String> refusal = refusal();
        if (refusal.isPresent()) {
            throw refused(refusal.get());
        }
    }

    static RegistryException refused(String why) {
        return new RegistryException(ErrorCode.DENIED, 503, "the registry is read-only",
                "the registry is read-only: " + why + "; reads work, writes are refused until it takes writes again");
    }

    /**
     * {@code handler}, refused while the registry is read-only; the route's access is checked first, so that only a
     * caller who may write learns why it cannot. While it heals by itself the answer says when to try again.
     */
    public RouteHandler guard(RouteHandler handler) {
        return exchange -> {
            Optional<String> refusal = refusal();
            if (refusal.isPresent()) {
                if (manual.get().isEmpty()) {
                    exchange.request().response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                }
                throw refused(refusal.get());
            }
            return handler.handle(exchange);
        };
    }
}
