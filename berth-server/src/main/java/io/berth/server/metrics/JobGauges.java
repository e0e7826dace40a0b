package io.berth.server.metrics;

import io.berth.server.meta.BackgroundJobs;
import io.berth.server.meta.ClusterNodes;
import io.berth.server.meta.JobLease;
import io.berth.server.scan.ScanService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background work across the nodes, sampled at each scrape: who holds each lease and for how long
 * ({@code berth_job_lease_held_seconds{job,holder}}), whether it is overdue — held past its expiry, its node dead
 * ({@code berth_job_lease_overdue{job}}); whether this node holds it ({@code berth_job_lease_mine{job}}); scans claimed
 * now and overdue ({@code berth_scans_claimed}, {@code berth_scans_overdue}); the live nodes
 * ({@code berth_cluster_nodes_live}).
 */
final class JobGauges {
    private static final Logger LOG = LoggerFactory.getLogger(JobGauges.class);

    private record Sample(List<JobLease.Holding> leases, ScanService.Claims scans, int liveNodes, Instant at) {
    }

    private final BackgroundJobs jobs;
    private final ClusterNodes nodes;
    private final ScanService scanService;
    private final String node;
    private final Clock clock;
    private final MultiGauge heldSeconds;
    private final MultiGauge overdue;
    private final MultiGauge mine;
    private volatile Sample sample;

    JobGauges(MeterRegistry registry, BackgroundJobs jobs, ClusterNodes nodes, ScanService scans, String node,
              Clock clock) {
        this.jobs = jobs;
        this.nodes = nodes;
        this.scanService = scans;
        this.node = node;
        this.clock = clock;
        this.sample = new Sample(List.of(), new ScanService.Claims(0, 0), 0, clock.instant());
        this.heldSeconds = MultiGauge.builder("berth.job.lease.held").baseUnit("seconds")
                .description("How long the holder has held the lease of a background job (gc: since unknown, 0)")
                .register(registry);
        this.overdue = MultiGauge.builder("berth.job.lease.overdue")
                .description("1 when a job's lease is past its expiry: its holder died and no node has taken it over yet")
                .register(registry);
        this.mine = MultiGauge.builder("berth.job.lease.mine")
                .description("1 when this node holds the job's lease").register(registry);
        Gauge.builder("berth.scans.claimed", () -> sample.scans().claimed())
                .description("Scans a node's worker has claimed and works on now").register(registry);
        Gauge.builder("berth.scans.overdue", () -> sample.scans().overdue())
                .description("Scans due for over a minute that no worker claimed, or whose claim lapsed").register(registry);
        Gauge.builder("berth.cluster.nodes.live", () -> sample.liveNodes())
                .description("Nodes that use this database and were seen in the last 15 s").register(registry);
    }

    /** Blocking: reads the leases, claims and nodes; on a database failure the last sample stays. */
    void sample() {
        Instant now = clock.instant();
        try {
            sample = new Sample(jobs.leases(), scanService.claims(), nodes.live().size(), now);
        } catch (RuntimeException e) {
            LOG.warn("metrics: sampling the background jobs failed: {}", e.toString());
            return;
        }
        heldSeconds.register(sample.leases().stream().map(lease -> MultiGauge.Row.of(
                Tags.of("job", lease.name(), "holder", lease.holder()),
                lease.acquiredAt().equals(Instant.EPOCH) ? 0
                        : Duration.between(lease.acquiredAt(), now).toMillis() / 1000.0)).toList(), true);
        overdue.register(sample.leases().stream().map(lease -> MultiGauge.Row.of(Tags.of("job", lease.name()),
                lease.expiresAt().isBefore(now) ? 1 : 0)).toList(), true);
        mine.register(sample.leases().stream().map(lease -> MultiGauge.Row.of(Tags.of("job", lease.name()),
                lease.holder().equals(node) ? 1 : 0)).toList(), true);
    }
}
