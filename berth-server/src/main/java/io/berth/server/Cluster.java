package io.berth.server;

import io.berth.server.auth.Security;
import io.berth.server.event.Events;
import io.berth.server.meta.CachedBlobIndex;
import io.berth.server.meta.CachedManifestIndex;
import io.berth.server.meta.ChangeFeed;
import io.berth.server.meta.ClusterNodes;
import io.berth.server.meta.Database;
import io.berth.server.meta.JobLease;
import io.berth.server.meta.NodeId;
import io.berth.server.readiness.WriteAccess;
import io.berth.server.scan.ScanService;
import io.berth.server.startup.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes this node one of several sharing a database, wired: the {@link ChangeFeed} whose signals invalidate the
 * caches, reload the read-only switch and the sign-outs, and wake the event senders and the scan worker; while it
 * cannot listen, the switch and the sign-outs are re-read every {@link WriteAccess#UNLISTENED_RELOAD_MILLIS} ms
 * instead. The node's row in {@link ClusterNodes}, seen again every few seconds; the {@link JobLease}s it releases
 * when it stops. On SQLite the same code runs, with one node and no signals.
 */
final class Cluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    private final ChangeFeed feed;
    private final ClusterNodes nodes;
    private final List<JobLease> leases;
    private final AtomicBoolean reloading = new AtomicBoolean();

    Cluster(ChangeFeed feed, ClusterNodes nodes, List<JobLease> leases) {
        this.feed = feed;
        this.nodes = nodes;
        this.leases = leases;
    }

    ClusterNodes nodes() {
        return nodes;
    }

    /**
     * Records this node; refuses to start when a live node signs tokens with another key (each node given a different
     * {@code auth.token.key} file): a token one of them issued would be refused by the other.
     */
    void join(Optional<String> signingKeyId, boolean keyFromFile) {
        nodes.join(signingKeyId).ifPresent(other -> {
            throw new ConfigException(List.of("auth.token.key: node " + other.node() + ", live on the same database,"
                    + " signs tokens with key " + other.signingKeyId() + " and this node with " + signingKeyId.orElse("")
                    + (keyFromFile ? " (from its auth.token.key file)" : " (the database's)")
                    + ": give every node the same auth.token.key file, or none (the database then keeps one key for all)"));
        });
    }

    /** A lease of this node, released when it stops. */
    JobLease lease(Database database, String name, NodeId node, Clock clock) {
        JobLease lease = new JobLease(database, name, node, clock);
        leases.add(lease);
        return lease;
    }

    /** Subscribes what other nodes' changes concern, and starts the heartbeat and the fallback re-reading. */
    void follow(Vertx vertx, WorkerExecutor workers, CachedManifestIndex manifests, CachedBlobIndex blobs,
                WriteAccess writes, Security security, Events events, ScanService scans) {
        feed.subscribe(ChangeFeed.Topic.MANIFESTS, repository -> {
            manifests.invalidate(repository);
            events.wake(); // a push or delete elsewhere recorded events and queued scans
            scans.wake();
        });
        feed.subscribe(ChangeFeed.Topic.BLOBS, repository -> {
            blobs.invalidate(repository);
            events.wake();
        });
        feed.subscribe(ChangeFeed.Topic.READ_ONLY, argument -> writes.reload());
        feed.subscribe(ChangeFeed.Topic.REVOCATIONS, argument -> security.reloadRevocations());
        vertx.setPeriodic(ClusterNodes.HEARTBEAT.toMillis(), timer -> workers.executeBlocking(() -> {
            nodes.heartbeat();
            return null;
        }, false).onFailure(e -> LOG.warn("cluster: marking this node seen failed: {}", e.toString())));
        vertx.setPeriodic(WriteAccess.UNLISTENED_RELOAD_MILLIS, timer -> {
            if (!feed.live() && reloading.compareAndSet(false, true)) {
                workers.executeBlocking(() -> {
                    writes.reload();
                    security.reloadRevocations();
                    return null;
                }, false).onComplete(done -> reloading.set(false))
                        .onFailure(e -> LOG.debug("cluster: re-reading the shared switches failed: {}", e.toString()));
            }
        });
    }

    /** Releases this node's leases and its row, so that the others take over at once; stops listening. */
    @Override
    public void close() {
        for (JobLease lease : leases) {
            try {
                lease.release();
            } catch (RuntimeException e) {
                LOG.warn("cluster: releasing the lease {} failed, it lapses by itself: {}", lease.name(), e.toString());
            }
        }
        try {
            nodes.leave();
        } catch (RuntimeException e) {
            LOG.warn("cluster: removing this node from cluster_nodes failed: {}", e.toString());
        }
        feed.close();
    }
}
