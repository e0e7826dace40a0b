package io.berth.server.readiness;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.berth.server.http.RouteHandler;
import io.berth.server.meta.ReadOnlyRecord;
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
 * <p>The operator's switch is the database's ({@link ReadOnlyRecord}): every node sharing it obeys, within a second
 * ({@link #reload} on the other nodes' signal, or every {@value #UNLISTENED_RELOAD_MILLIS} ms while signals cannot be
 * received), and it survives restarts. {@code storage.readOnly} makes this node alone read-only from its start; the
 * API's {@code enabled=false} ends that too, on the node that answers.
 *
 * <p>Garbage collection and upload expiry keep running while the registry is read-only by itself (they free the space
 * it waits for), but not while the operator made it read-only (a backup or a migration expects no file to change).
 */
public final class WriteAccess {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAccess.class);
    /** What a client is told to wait before it tries again, while the registry heals by itself. */
    static final int RETRY_AFTER_SECONDS = 30;

    /** How often the shared switch is read while the other nodes' signals cannot be received. */
    public static final long UNLISTENED_RELOAD_MILLIS = 500;

    private final Clock clock;
    private final Optional<ReadOnlyRecord> shared;
    private final AtomicReference<Optional<Manual>> configured;
    private final AtomicReference<Optional<Manual>> sharedMode;
    private volatile List<String> automatic = List.of();

    /** The operator's read-only mode: why, and since when. */
    public record Manual(String reason, Instant since) {
    }

    /** Read-only mode kept by this node alone (tests of one node). */
    public WriteAccess(boolean readOnly, Clock clock) {
        this(readOnly, Optional.empty(), clock);
    }

    /** @param shared the operator's switch shared by every node, read now */
    public WriteAccess(boolean readOnly, Optional<ReadOnlyRecord> shared, Clock clock) {
        this.clock = clock;
        this.shared = shared;
        this.configured = new AtomicReference<>(readOnly
                ? Optional.of(new Manual("storage.readOnly is set in the configuration", clock.instant()))
                : Optional.empty());
        this.sharedMode = new AtomicReference<>(Optional.empty());
        reload();
    }

    /** Blocking: reads the shared switch again (another node changed it). */
    public void reload() {
        shared.ifPresent(record -> apply(record.load().map(stored -> new Manual(stored.reason(), stored.since()))));
    }

    private void apply(Optional<Manual> now) {
        Optional<Manual> before = manual();
        sharedMode.set(now);
        Optional<Manual> after = manual();
        if (before.isPresent() != after.isPresent()) {
            LOG.warn(after.isPresent() ? "the registry is read-only now, by the operator: {}" : "the operator ended read-only mode{}",
                    after.map(Manual::reason).orElse(""));
        }
    }

    /** The operator's read-only mode, if it is on: this node's configuration's, else the shared switch's. */
    public Optional<Manual> manual() {
        Optional<Manual> own = configured.get();
        return own.isPresent() ? own : sharedMode.get();
    }

    /**
     * Blocking: switches the operator's read-only mode on (with its reason) or off, for every node sharing the
     * database; logged. Off also ends this node's {@code storage.readOnly}.
     */
    public void setManual(boolean readOnly, String reason) {
        Optional<Manual> mode = readOnly ? Optional.of(new Manual(reason, clock.instant())) : Optional.empty();
        shared.ifPresent(record -> record.save(mode.map(m -> new ReadOnlyRecord.Stored(m.reason(), m.since()))));
        if (!readOnly) {
            configured.set(Optional.empty());
        }
        apply(mode);
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
        Optional<Manual> m = manual();
        if (m.isPresent()) {
            return Optional.of("the operator made it read-only: " + m.get().reason());
        }
        List<String> reasons = automatic;
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /** Why garbage collection may not delete now: only the operator's read-only mode stops it. */
    public Optional<String> deletionsRefused() {
        return manual().map(m -> "the registry is read-only: the operator made it read-only: " + m.reason()
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
                if (manual().isEmpty()) {
                    exchange.request().response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                }
                throw refused(refusal.get());
            }
            return handler.handle(exchange);
        };
    }
}
