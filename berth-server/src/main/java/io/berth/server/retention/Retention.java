package io.berth.server.retention;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.meta.CollectionLease;
import io.berth.server.meta.NodeId;
import io.berth.server.meta.Database;
import io.berth.server.meta.JdbcPullTimes;
import io.berth.server.meta.JdbcRepositorySnapshots;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.meta.PolicyDenial;
import io.berth.server.meta.ImmutableTags;
import io.berth.server.meta.RequestContext;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the retention policies: on request and every {@code retention.interval}.
 *
 * <p>A run plans each repository that a policy applies to from a snapshot of it ({@link Planner}) and then deletes
 * what the plan says through the registry's own {@link ManifestIndex#deleteTag} and {@link ManifestIndex#delete}, as
 * the {@value #ACTOR} actor, so the deletions make the same events as a client's DELETE. A dry run plans the same way
 * and deletes nothing; it needs no lease. Right before each deletion the run checks that the plan still holds (the
 * tag still points where it did, no new tag or index holds the manifest) and skips it otherwise: a push that lands
 * between that check and the delete, a few milliseconds, can still lose a tag it just moved onto a planned one.
 *
 * <p>Real runs take the garbage collection's lease ({@link CollectionLease}): one run of either at a time across the
 * nodes that share the database, and none while collections are paused. Blocking: runs on a worker thread.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    /** Who the deletions' events name. */
    public static final String ACTOR = "retention";
    static final Duration LEASE = Duration.ofSeconds(60);
    private static final int PAGE = 500;
    private static final long FLUSH_MILLIS = 5_000;
    private static final Duration RETRY = Duration.ofSeconds(30);

    /** What {@link #run} did. */
    public sealed interface Outcome {
    }

    public record Finished(RetentionRun run) implements Outcome {
    }

    /** No run: the lease is held ({@code held}), or collections are paused. */
    public record Refused(String reason, boolean held) implements Outcome {
    }

    private final RetentionConfig config;
    private final ManifestIndex manifests;
    private final JdbcRepositorySnapshots snapshots;
    private final CollectionLease lease;
    private final PullTimes pulls;
    private final Clock clock;
    private final String holder;
    private final ImmutableTags immutable;
    private final Supplier<Optional<String>> deletionsRefused;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param immutable        the tags no run deletes (planned as kept, so that a preview shows what a run does)
     * @param deletionsRefused why runs may not delete now (the operator made the registry read-only), if so
     */
    public Retention(RetentionConfig config, ManifestIndex manifests, JdbcRepositorySnapshots snapshots,
                     CollectionLease lease, PullTimes pulls, Clock clock, String holder, ImmutableTags immutable,
                     Supplier<Optional<String>> deletionsRefused) {
        this.config = config;
        this.immutable = immutable;
        this.deletionsRefused = deletionsRefused;
        this.manifests = manifests;
        this.snapshots = snapshots;
        this.lease = lease;
        this.pulls = pulls;
        this.clock = clock;
        this.holder = holder;
    }

    /** Retention over {@code database}, its schedule and the flushing of pull times, started. */
    public static Retention start(RetentionConfig config, Database database, ManifestIndex manifests,
                                  ImmutableTags immutable, Supplier<Optional<String>> deletionsRefused, Vertx vertx,
                                  WorkerExecutor workers, Clock clock, NodeId node) {
        PullTimes pulls = new PullTimes(new JdbcPullTimes(database), clock, config.pullTimePrecision());
        Retention retention = new Retention(config, manifests, new JdbcRepositorySnapshots(database),
                new CollectionLease(database, clock), pulls, clock,
                node.value() + "/retention", immutable, deletionsRefused);
        AtomicBoolean flushing = new AtomicBoolean();
        vertx.setPeriodic(FLUSH_MILLIS, timer -> {
            if (flushing.compareAndSet(false, true)) {
                workers.executeBlocking(pulls::flush, false).onComplete(done -> flushing.set(false))
                        .onFailure(e -> LOG.warn("recording pull times failed", e));
            }
        });
        if (config.scheduled()) {
            // Half a period out of step with garbage collection's schedule (which starts a full period after the
            // start), as both take one lease; a run that finds the lease held tries again shortly.
            long period = config.interval().toMillis();
            vertx.setPeriodic(Math.max(1, period / 2), period, timer -> scheduled(vertx, workers, retention,
                    System.nanoTime() + period * 1_000_000L / 2));
        }
        return retention;
    }

    /** A scheduled run; while the lease is held by someone else, retried every {@code RETRY} until {@code deadline}. */
    private static void scheduled(Vertx vertx, WorkerExecutor workers, Retention retention, long deadline) {
        workers.executeBlocking(() -> retention.run(false), false)
                .onSuccess(outcome -> {
                    if (outcome instanceof Refused refused) {
                        boolean retry = refused.held() && System.nanoTime() + RETRY.toNanos() < deadline;
                        LOG.info("scheduled retention run {}: {}", retry ? "waits" : "skipped", refused.reason());
                        if (retry) {
                            vertx.setTimer(RETRY.toMillis(), t -> scheduled(vertx, workers, retention, deadline));
                        }
                    }
                })
                .onFailure(e -> LOG.error("scheduled retention run failed", e));
    }

    public PullTimes pulls() {
        return pulls;
    }

    public RetentionConfig config() {
        return config;
    }

    /** What a run would delete now, and why. Blocking; takes no lease. */
    public RetentionRun preview() {
        return execute(true);
    }

    /** Runs the policies now ({@code dryRun}: only reports), or says why not. Blocking. */
    public Outcome run(boolean dryRun) {
        if (dryRun) {
            return new Finished(preview());
        }
        Optional<String> readOnly = deletionsRefused.get();
        if (readOnly.isPresent()) {
            return new Refused(readOnly.get(), false);
        }
        if (!running.compareAndSet(false, true)) {
            return new Refused("a retention run is already running on this node", false);
        }
        try {
            CollectionLease.Outcome taken = lease.acquire(holder, LEASE);
            if (taken instanceof CollectionLease.Held held) {
                return new Refused("a garbage collection or retention run holds the lease (" + held.holder()
                        + ", until " + held.until() + ")", true);
            }
            if (taken instanceof CollectionLease.Paused) {
                return new Refused("retention runs share the garbage collection's lease, and collections are paused"
                        + " (POST /api/v1/admin/gc/resume resumes both)", false);
            }
            try {
                return new Finished(execute(false));
            } finally {
                lease.release(holder);
            }
        } finally {
            running.set(false);
        }
    }

    private RetentionRun execute(boolean dryRun) {
        String id = UUID.randomUUID().toString();
        Instant startedAt = clock.instant();
        RequestContext context = new RequestContext(id, "", "", "DELETE", "berth-retention", ACTOR);
        List<Deletion> done = new ArrayList<>();
        List<Deletion> skipped = new ArrayList<>();
        long examined = 0;
        Optional<String> error = Optional.empty();
        LeaseKeeper keeper = new LeaseKeeper(dryRun);
        try {
            pulls.flush();
            Optional<String> last = Optional.empty();
            for (List<Repository> page; !config.policies().isEmpty()
                    && !(page = manifests.repositories(last, PAGE)).isEmpty(); last = Optional.of(page.get(page.size() - 1).name())) {
                for (Repository repository : page) {
                    List<RetentionPolicy> applying = config.policies().stream().filter(p -> p.covers(repository)).toList();
                    if (applying.isEmpty()) {
                        continue;
                    }
                    examined++;
                    keeper.renewIfDue();
                    List<Deletion> plan = Planner.plan(snapshots.read(repository), applying, immutable, startedAt);
                    if (dryRun) {
                        done.addAll(plan);
                    } else {
                        carryOut(plan, context, done, skipped, keeper);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("retention run {} failed", id, e);
            error = Optional.of(String.valueOf(e.getMessage()));
        }
        RetentionRun run = new RetentionRun(id, startedAt, clock.instant(), dryRun, config.policies().size(), examined,
                done, skipped, error);
        if (!dryRun) {
            LOG.info("retention run {}: {} repositories examined, {} tags and {} manifests deleted, {} skipped{}", id,
                    examined, run.tagsDeleted(), run.manifestsDeleted(), skipped.size(), error.map(e -> "; " + e).orElse(""));
        }
        return run;
    }

    /** Renews the lease of a real run at most every third of its lifetime; stops the run when it is lost. */
    private final class LeaseKeeper {
        private final boolean dryRun;
        private long renewedAt = System.nanoTime();

        LeaseKeeper(boolean dryRun) {
            this.dryRun = dryRun;
        }

        void renewIfDue() {
            if (dryRun || System.nanoTime() - renewedAt < LEASE.toNanos() / 3) {
                return;
            }
            if (!lease.renew(holder, LEASE)) {
                throw new IllegalStateException("lost the lease before the run finished (collections were paused, or"
                        + " the lease expired and was taken over); what was deleted so far stays deleted");
            }
            renewedAt = System.nanoTime();
        }
    }

    /** Deletes what the plan says, each after checking that the plan still holds for it. */
    private void carryOut(List<Deletion> plan, RequestContext context, List<Deletion> done, List<Deletion> skipped,
                          LeaseKeeper keeper) {
        for (Deletion deletion : plan) {
            keeper.renewIfDue();
            boolean deleted;
            try {
                deleted = stillPlanned(deletion) && (deletion.isTag()
                        ? manifests.deleteTag(deletion.repository(), new Reference.Tag(deletion.tag().orElseThrow()), context)
                        : manifests.delete(deletion.repository(), deletion.digest(), context));
            } catch (PolicyDenial e) {
                deleted = false; // an immutability rule protects it after all: a tag moved onto a protected manifest
            }
            (deleted ? done : skipped).add(deletion);
        }
    }

    /** Whether the plan still holds for {@code deletion}: the tag still points where it did, nothing new holds the manifest. */
    private boolean stillPlanned(Deletion deletion) {
        Repository repository = deletion.repository();
        if (deletion.isTag()) {
            return snapshots.tagTarget(repository, deletion.tag().orElseThrow()).filter(deletion.digest()::equals).isPresent();
        }
        JdbcRepositorySnapshots.Holds holds = snapshots.holds(repository, deletion.digest());
        return holds.parents().isEmpty() && deletion.tagsWithIt().containsAll(holds.tags());
    }
}
