package io.berth.server.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.berth.server.blob.BlobIntegrity;
import io.berth.server.blob.BlobStore;
import io.berth.server.blob.UploadSessions;
import io.berth.server.event.EventsApi;
import io.berth.server.http.AccessLog;
import io.berth.server.http.Exchange;
import io.berth.server.http.HttpEdge;
import io.berth.server.http.Reply;
import io.berth.server.http.RequestObserver;
import io.berth.server.http.Route;
import io.berth.server.readiness.ReadinessProbe;
import io.berth.server.readiness.WriteAccess;
import io.berth.server.http.Workers;
import io.berth.server.scan.ScanService;
import io.berth.server.scrub.Scrubber;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import io.berth.server.meta.BackgroundJobs;
import io.berth.server.meta.ClusterNodes;
import io.berth.server.meta.NodeId;

/**
 * The registry's metrics, through Micrometer, for {@code GET /metrics} in the Prometheus text format: requests
 * ({@link HttpMetrics}), blob storage operations and errors by driver ({@link CountingBlobStore}), the metadata database's pool (HikariCP's
 * own meters), upload sessions, the event outbox and the scan queue ({@link QueueGauges}), and the JVM and the
 * process (Micrometer's binders). Built first, so that the database pool can report to it from its start.
 */
public final class Metrics implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final QueueGauges queues;
    private final Clock clock;
    private volatile JobGauges jobs;

    private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gc, Clock clock) {
        this.registry = registry;
        this.gc = gc;
        this.queues = new QueueGauges(registry, clock);
        this.clock = clock;
    }

    /** A registry with the JVM's and the process's meters bound. */
    public static Metrics start(Clock clock) {
        return start(clock, Optional.empty());
    }

    /**
     * As {@link #start(Clock)}, with {@code berth_node_info{node="<id>"} 1}: Prometheus scrapes each node as a target
     * of its own (its {@code instance} label), and this series tells which node id that target is, the id its leases
     * bear ({@code berth_job_lease_*{holder}}). Not a tag on every meter: series and dashboards keep their labels.
     */
    public static Metrics start(Clock clock, Optional<NodeId> node) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        node.ifPresent(id -> Gauge.builder("berth.node.info", () -> 1.0).tag("node", id.value())
                .description("This node among those sharing the database: its node id").register(registry));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new Metrics(registry, gc, clock);
    }

    /** For the database pool: HikariCP's connection meters ({@code hikaricp_connections_*}). */
    public MetricsTrackerFactory databasePool() {
        return new MicrometerMetricsTrackerFactory(registry);
    }

    /** {@code store}, its operations timed and its failures counted under the driver's name ({@code filesystem}, {@code s3}). */
    public BlobStore counted(BlobStore store, String driver) {
        return new CountingBlobStore(store, driver, registry);
    }

    /** The request meters of a route table, to observe its router. */
    public RequestObserver requests(List<Route> routes) {
        return new HttpMetrics(registry, routes);
    }

    /** Reports the upload sessions, the outbox and the scan queue; their counts are read from the database at each scrape. */
    public void watch(UploadSessions uploads, EventsApi events, ScanService scans) {
        queues.watch(uploads, events, scans);
    }

    /** Reports the leases of background work, scans claimed and overdue, and the live nodes ({@link JobGauges}). */
    public void watch(BackgroundJobs backgroundJobs, ClusterNodes nodes, ScanService scans, NodeId node) {
        jobs = new JobGauges(registry, backgroundJobs, nodes, scans, node.value(), clock);
    }

    /**
     * {@code GET /metrics}: samples what lives in the database (open uploads, the outbox, the scan queue) on the
     * worker pool, then writes every meter in the Prometheus text format.
     */
    public Future<Reply> scrape(Exchange exchange) {
        return exchange.blocking(() -> {
            queues.sample();
            JobGauges sampled = jobs;
            if (sampled != null) {
                sampled.sample();
            }
            return Reply.status(200).header("Cache-Control", "no-store")
                    .bytes(registry.scrape().getBytes(StandardCharsets.UTF_8), CONTENT_TYPE);
        });
    }

    /**
     * Reports the storage's health: blobs found without their file ({@code berth_blob_missing_total}), served reads
     * that found rotten bytes ({@code berth_blob_corrupt_reads_total}), files quarantined
     * ({@code berth_blob_quarantined_total}), the scrubs' findings ({@code berth_scrub_*}), and whether the registry is
     * read-only now ({@code berth_read_only}, 1 or 0) with the free space of its data directory
     * ({@code berth_storage_free_bytes}, from the last readiness check).
     */
    public void watch(BlobIntegrity integrity, Scrubber scrubber, WriteAccess writes, ReadinessProbe probe) {
        FunctionCounter.builder("berth.blob.missing", integrity, i -> i.counts().missing())
                .description("Checks that found a recorded blob without its file (HEAD, GET, mount, scrub)").register(registry);
        FunctionCounter.builder("berth.blob.corrupt.reads", integrity, i -> i.counts().corruptOnRead())
                .description("GETs that found a blob's bytes not matching its digest (not served)").register(registry);
        FunctionCounter.builder("berth.blob.quarantined", integrity, i -> i.counts().quarantined())
                .description("Blob files moved to quarantine because their bytes did not match").register(registry);
        FunctionCounter.builder("berth.scrub.runs", scrubber, s -> s.counts().runs())
                .description("Scrubs finished").register(registry);
        FunctionCounter.builder("berth.scrub.blobs.checked", scrubber, s -> s.counts().blobsChecked())
                .description("Blobs a scrub checked").register(registry);
        FunctionCounter.builder("berth.scrub.checked.bytes", scrubber, s -> s.counts().bytesChecked())
                .description("Bytes a scrub re-hashed and found intact").baseUnit("bytes").register(registry);
        FunctionCounter.builder("berth.scrub.corrupt.blobs", scrubber, s -> s.counts().corrupt())
                .description("Blobs a scrub found corrupt and quarantined").register(registry);
        FunctionCounter.builder("berth.scrub.missing.blobs", scrubber, s -> s.counts().missing())
                .description("Blobs a scrub found without their file").register(registry);
        Gauge.builder("berth.read.only", writes, w -> w.refusal().isPresent() ? 1 : 0)
                .description("1 while the registry refuses writes (read-only by the operator or by itself)").register(registry);
        Gauge.builder("berth.storage.free", probe, p -> p.status().freeBytes()).baseUnit("bytes")
                .description("Free space of the data directory's file system at the last readiness check").register(registry);
    }

    /**
     * Reports the connections ({@code berth_connections_open}, {@code berth_connections_opened_total} by protocol,
     * {@code berth_connections_refused_total} by the limit that refused them) and the writes ({@code berth_writes_in_progress}, running or waiting for a write thread;
     * {@code berth_writes_refused_total}, answered 503 because too many waited or one waited too long for a thread).
     */
    public void watch(HttpEdge edge, Workers workers) {
        Gauge.builder("berth.connections.open", edge, HttpEdge::openConnections)
                .description("Client connections open").register(registry);
        FunctionCounter.builder("berth.connections.opened", edge, e -> e.opened(false)).tag("protocol", "http/1.1")
                .description("Client connections served so far, by protocol").register(registry);
        FunctionCounter.builder("berth.connections.opened", edge, e -> e.opened(true)).tag("protocol", "h2")
                .description("Client connections served so far, by protocol").register(registry);
        FunctionCounter.builder("berth.connections.refused", edge, HttpEdge::refusedByMaxConnections)
                .tag("limit", "maxConnections")
                .description("Connections closed as they were accepted because a connection limit was reached")
                .register(registry);
        FunctionCounter.builder("berth.connections.refused", edge, HttpEdge::refusedByMaxConnectionsPerAddress)
                .tag("limit", "maxConnectionsPerAddress")
                .description("Connections closed as they were accepted because a connection limit was reached")
                .register(registry);
        Gauge.builder("berth.writes.in.progress", workers, Workers::writesInProgress)
                .description("Requests' writes running on the write pool or waiting for one of its threads")
                .register(registry);
        FunctionCounter.builder("berth.writes.refused", workers, Workers::writesRefused)
                .description("Writes answered 503 because the write pool's queue was full or a write waited too long")
                .register(registry);
    }

    /** Counts the access log's dropped lines ({@code berth_access_log_dropped_lines_total}). */
    public void watch(AccessLog accessLog) {
        FunctionCounter.builder("berth.access.log.dropped.lines", accessLog, AccessLog::dropped)
                .description("Access log lines dropped because the output did not keep up").register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
