package io.berth.server.metrics;

import io.berth.server.blob.UploadSessions;
import io.berth.server.event.EventsApi;
import io.berth.server.event.Outbox;
import io.berth.server.scan.ScanService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry keeps in its database, sampled once per scrape (a few counting queries) rather than once per
 * meter: open upload sessions, each event endpoint's outbox (the same figures as {@code /api/v1/events/metrics}, from
 * the same source), the scans by status. Counters kept in memory (sessions started and ended) are read as they are.
 * An endpoint seen for the first time gets its meters then. When the database does not answer, the last sample
 * stays and the scrape goes on with the rest.
 */
final class QueueGauges {
    private static final Logger LOG = LoggerFactory.getLogger(QueueGauges.class);
    private static final Path STATUS = Path.of("/proc/self/status");

    /** One scrape's sample of the database. */
    private record Sample(long openUploads, Map<String, Outbox.Status> events, Map<String, Long> scans, Instant at) {
        static final Sample EMPTY = new Sample(0, Map.of(), Map.of(), Instant.EPOCH);
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Set<String> endpoints = new HashSet<>();
    private final Set<String> scanStatuses = new HashSet<>();
    private volatile Sample sample = Sample.EMPTY;
    private volatile long residentBytes = -1;
    private UploadSessions uploads;
    private EventsApi events;
    private ScanService scans;

    QueueGauges(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory", () -> residentBytes).baseUnit("bytes")
                    .description("Resident set size of the process (VmRSS)").register(registry);
        }
    }

    synchronized void watch(UploadSessions uploads, EventsApi events, ScanService scans) {
        this.uploads = uploads;
        this.events = events;
        this.scans = scans;
        Gauge.builder("berth.uploads.open", () -> sample.openUploads())
                .description("Upload sessions open now, in the database").register(registry);
        FunctionCounter.builder("berth.uploads.started", uploads, u -> u.counts().started())
                .description("Upload sessions started by this process").register(registry);
        ended(uploads, "completed", c -> c.completed());
        ended(uploads, "failed", c -> c.failed());
        ended(uploads, "cancelled", c -> c.cancelled());
        ended(uploads, "expired", c -> c.expired());
        hashes(uploads, "memory", h -> h.fromMemory());
        hashes(uploads, "restored", h -> h.restored());
        hashes(uploads, "rebuilt", h -> h.rebuilt());
        FunctionCounter.builder("berth.uploads.orphan.files.removed", uploads, u -> u.counts().orphanFiles())
                .description("Upload files without a session removed by the upload expiry").register(registry);
        FunctionCounter.builder("berth.uploads.expired.bytes", uploads, u -> u.counts().expiredBytes())
                .baseUnit("bytes").description("Bytes of expired upload sessions and of upload files without a session"
                        + " removed by the upload expiry").register(registry);
    }

    private void hashes(UploadSessions uploads, String source, ToDoubleFunction<UploadSessions.HashSources> count) {
        FunctionCounter.builder("berth.uploads.hash.resumed", uploads, u -> count.applyAsDouble(u.hashSources()))
                .description("Requests that continued an upload with bytes, by where its running SHA-256 came from:"
                        + " memory (this node served the last request), restored (the state another node saved),"
                        + " rebuilt (the stored bytes read back)").tag("source", source).register(registry);
    }

    private void ended(UploadSessions uploads, String outcome, ToDoubleFunction<UploadSessions.Counts> count) {
        FunctionCounter.builder("berth.uploads.ended", uploads, u -> count.applyAsDouble(u.counts()))
                .description("Upload sessions ended by this process, by outcome").tag("outcome", outcome)
                .register(registry);
    }

    /** Blocking: reads the database's counts for this scrape; registers meters for endpoints and statuses new to it. */
    synchronized void sample() {
        residentBytes = resident();
        if (uploads == null) {
            return;
        }
        try {
            sample = new Sample(uploads.open(), events.statuses(), scans.countsByStatus(), clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("metrics: sampling the database failed, its figures are those of {}: {}", sample.at(), e.toString());
        }
        sample.events().keySet().stream().filter(endpoints::add).forEach(this::endpoint);
        sample.scans().keySet().stream().filter(scanStatuses::add).forEach(status ->
                Gauge.builder("berth.scans", () -> sample.scans().getOrDefault(status, 0L))
                        .description("Scans by status: queued and running are the scan queue")
                        .tag("status", status).register(registry));
    }

    /** The meters of one event endpoint, named as {@code /api/v1/events/metrics} names them. */
    private void endpoint(String name) {
        Gauge.builder("berth.events.pending", () -> status(name).pending())
                .description("Events waiting for delivery").tag("endpoint", name).register(registry);
        FunctionCounter.builder("berth.events.delivered", this, q -> q.status(name).delivered())
                .description("Events delivered").tag("endpoint", name).register(registry);
        FunctionCounter.builder("berth.events.failed.attempts", this, q -> q.status(name).failedAttempts())
                .description("Failed delivery attempts").tag("endpoint", name).register(registry);
        Gauge.builder("berth.events.abandoned", () -> status(name).abandoned())
                .description("Events given up after maxRetries (kept 7 days)").tag("endpoint", name).register(registry);
        Gauge.builder("berth.events.oldest.pending", () -> status(name).oldestPending()
                        .map(t -> Duration.between(t, sample.at()).toMillis() / 1000.0).orElse(0.0))
                .baseUnit("seconds").description("Age of the oldest pending event").tag("endpoint", name)
                .register(registry);
    }

    private Outbox.Status status(String endpoint) {
        Outbox.Status status = sample.events().get(endpoint);
        return status != null ? status : new Outbox.Status(0, 0, 0, 0, 0, java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    /** VmRSS of {@code /proc/self/status}, in bytes; -1 where there is none. */
    private static long resident() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    List<String> parts = List.of(line.substring(6).trim().split("\\s+"));
                    return Long.parseLong(parts.get(0)) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
