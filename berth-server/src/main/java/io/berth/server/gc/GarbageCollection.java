package io.berth.server.gc;

import io.berth.server.blob.BlobStore;
import io.berth.server.meta.BlobGarbage;
import io.berth.server.meta.BlobIndex;
import io.berth.server.meta.CollectionLease;
import io.berth.server.meta.CollectionRuns;
import io.berth.server.meta.Database;
import io.berth.server.meta.NodeId;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the collector, its schedule and its API. */
public final class GarbageCollection {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollection.class);

    private final Collector collector;
    private final GcApi api;

    private GarbageCollection(Collector collector, GcApi api) {
        this.collector = collector;
        this.api = api;
    }

    /**
     * The collector of this node, running every {@code config.interval()} (unless zero) on {@code workers}.
     *
     * @param node             this node: the lease holder's name
     * @param deletionsRefused why collections may not delete now (the operator made the registry read-only), if so:
     *                         scheduled runs are skipped and requested ones refused, dry runs excepted
     */
    public static GarbageCollection start(GcConfig config, Database database, BlobStore store, BlobIndex blobIndex,
                                          Vertx vertx, WorkerExecutor workers, Clock clock,
                                          NodeId node,
                                          Supplier<Optional<String>> deletionsRefused) {
        Collector collector = new Collector(new BlobGarbage(database), new CollectionLease(database, clock),
                new CollectionRuns(database), store, blobIndex, config.gracePeriod(), clock, node.value());
        if (config.scheduled()) {
            long period = config.interval().toMillis();
            vertx.setPeriodic(period, period, timer -> workers.executeBlocking(() -> deletionsRefused.get()
                            .<Collector.Outcome>map(Collector.Refused::new).orElseGet(() -> collector.collect(false)), false)
                    .onSuccess(outcome -> {
                        if (outcome instanceof Collector.Refused refused) {
                            LOG.debug("scheduled garbage collection skipped: {}", refused.reason());
                        }
                    })
                    .onFailure(e -> LOG.error("scheduled garbage collection failed", e)));
        }
        return new GarbageCollection(collector, new GcApi(collector, vertx, deletionsRefused));
    }

    public Collector collector() {
        return collector;
    }

    public GcApi api() {
        return api;
    }
}
