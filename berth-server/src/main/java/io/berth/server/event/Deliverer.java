package io.berth.server.event;

import io.berth.server.meta.JobLease;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one endpoint's events, on a thread of its own, strictly in outbox order: the next event goes only once the
 * one before it was delivered (a 2xx answer) or abandoned. A failure is recorded and retried after the endpoint's
 * back-off, for as long as it takes; a restart resumes with whatever is still pending. Delivery is at least once: an
 * event whose 2xx answer was lost in a crash is sent again, and receivers can tell by its id.
 *
 * <p>Every node sharing the database runs a sender per endpoint, but only the holder of the endpoint's lease
 * ({@link JobLease} {@code events:<endpoint>}) sends; the others try to take it every {@link #IDLE_POLL}. That keeps
 * both promises across the cluster. <em>Once</em>: one sender at a time, which renews the lease before each attempt
 * for longer than the attempt can take ({@link #leaseTtl}), so no other node can hold it while a POST is in flight;
 * a sender that stops finishes its attempt, records it and releases the lease. <em>In seq order</em>: a sender takes
 * the lowest pending seq and goes on only once it is delivered or abandoned, and a node taking over starts again
 * from the lowest pending seq, which is the one the previous holder had in flight (its outcome not recorded) or the
 * next one. When a node dies mid-attempt its lease expires after {@link #leaseTtl} and the event in flight is sent
 * again by the next holder: the one duplicate at-least-once delivery allows, never a reordering.
 */
final class Deliverer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);
    private static final int BATCH = 100;
    private static final Duration IDLE_POLL = Duration.ofSeconds(2);
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
    private static final Duration KEEP_DELIVERED = Duration.ofDays(1);
    private static final Duration KEEP_ABANDONED = Duration.ofDays(7);
    private static final Duration MIN_LEASE = Duration.ofSeconds(15);

    private final EndpointConfig endpoint;
    private final Outbox outbox;
    private final JobLease lease;
    private final HttpClient client;
    private final Clock clock;
    private final Semaphore wakeups = new Semaphore(0);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private Instant lastPrune = Instant.EPOCH;

    Deliverer(EndpointConfig endpoint, Outbox outbox, JobLease lease, HttpClient client, Clock clock) {
        this.lease = lease;
        this.endpoint = endpoint;
        this.outbox = outbox;
        this.client = client;
        this.clock = clock;
        this.thread = new Thread(this::run, "berth-events-" + endpoint.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** New events may be pending: look now rather than at the next poll (a back-off still runs its course). */
    void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    private void run() {
        int storeFailures = 0;
        while (!stopped()) {
            try {
                boolean holding = lease.acquire(leaseTtl());
                List<Outbox.Pending> batch = holding ? outbox.pending(endpoint.name(), BATCH) : List.of();
                storeFailures = 0;
                if (batch.isEmpty()) {
                    if (holding) {
                        prune();
                    }
                    wakeups.tryAcquire(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                    continue;
                }
                for (Outbox.Pending pending : batch) {
                    if (!deliver(pending)) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                storeFailures++;
                LOG.warn("event endpoint {}: the outbox is unavailable: {}", endpoint.name(), e.toString());
                if (!pause(endpoint.backoffAfter(storeFailures))) {
                    return;
                }
            }
        }
    }

    /** Sends until delivered or abandoned; false when stopping first. */
    private boolean deliver(Outbox.Pending pending) throws InterruptedException {
        while (!stopped()) {
            if (!lease.acquire(leaseTtl())) {
                LOG.info("event endpoint {}: another node took over its deliveries", endpoint.name());
                return false;
            }
            String error = send(pending);
            if (error == null) {
                outbox.delivered(endpoint.name(), pending.seq(), clock.instant());
                return true;
            }
            int attempts = outbox.failed(endpoint.name(), pending.seq(), error, clock.instant());
            if (endpoint.maxRetries().isPresent() && attempts > endpoint.maxRetries().getAsInt()) {
                LOG.error("event endpoint {}: abandoned event {} after {} attempts, the last: {}", endpoint.name(),
                        pending.eventId(), attempts, error);
                outbox.abandoned(endpoint.name(), pending.seq(), clock.instant());
                return true;
            }
            Duration delay = endpoint.backoffAfter(attempts);
            LOG.warn("event endpoint {}: delivering event {} failed (attempt {}), retrying in {} ms: {}", endpoint.name(),
                    pending.eventId(), attempts, delay.toMillis(), error);
            if (!pause(delay)) {
                return false;
            }
        }
        return false;
    }

    /** POSTs the event; null when the endpoint answered 2xx, else what went wrong. */
    private String send(Outbox.Pending pending) throws InterruptedException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url())
                    .timeout(endpoint.timeout())
                    .header("Content-Type", pending.contentType())
                    .header("User-Agent", "berth-events")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(pending.body()));
            endpoint.headers().forEach(request::header);
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Longer than an attempt can take (the endpoint's timeout) with room for recording it. */
    Duration leaseTtl() {
        Duration twice = endpoint.timeout().multipliedBy(2).plusSeconds(5);
        return twice.compareTo(MIN_LEASE) > 0 ? twice : MIN_LEASE;
    }

    private void prune() {
        Instant now = clock.instant();
        if (Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) >= 0) {
            lastPrune = now;
            outbox.prune(endpoint.name(), now.minus(KEEP_DELIVERED), now.minus(KEEP_ABANDONED));
        }
    }

    private boolean stopped() {
        return stopping.getCount() == 0;
    }

    /** Waits {@code delay} unless stopping; false when stopping (or interrupted). */
    private boolean pause(Duration delay) {
        try {
            return !stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Asks the sender to stop after the attempt in flight; {@link #close} waits for it. */
    void stop() {
        stopping.countDown();
        wakeups.release();
    }

    /** Stops after the attempt in flight (at most the endpoint's timeout), then lets another node take over at once. */
    @Override
    public void close() {
        stop();
        try {
            thread.join(endpoint.timeout().toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            try {
                lease.release();
            } catch (RuntimeException e) {
                LOG.warn("event endpoint {}: releasing its lease failed, another node takes over when it expires: {}",
                        endpoint.name(), e.toString());
            }
        }
    }
}
