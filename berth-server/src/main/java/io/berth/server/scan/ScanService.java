package io.berth.server.scan;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.http.OutboundHttp;
import io.berth.server.meta.Change;
import io.berth.server.meta.ChangeListener;
import io.berth.server.meta.Database;
import io.berth.server.meta.NodeId;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.meta.StoredManifest;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans artifacts with the configured scanner adapters. A push queues a scan per scanner that accepts the artifact's
 * type, in the push's transaction; a worker thread submits queued scans, polls for their reports (as often as the
 * adapter's {@code Refresh-After} asks) and stores them with their summary by severity. Scans survive restarts: the
 * worker resumes with whatever is queued or running. The workers of all nodes sharing the database claim due scans
 * ({@link ScanStore#claim}), so each runs on one node, and one whose node died is taken over when its claim lapses
 * ({@link #CLAIM}). An artifact no scanner accepts is never sent anywhere and is
 * listed as not scannable; an index that no scanner takes whole is reported from its children.
 */
public final class ScanService implements ScanStatuses, AutoCloseable {
    /** The paths {@link #api} answers. */

    private static final Logger LOG = LoggerFactory.getLogger(ScanService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 20;
    private static final int MAX_ATTEMPTS = 10;
    private static final Duration IDLE_POLL = Duration.ofSeconds(2);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    private static final Duration MAX_RETRY = Duration.ofMinutes(5);
    private static final Duration MIN_REFRESH = Duration.ofMillis(500);
    /** How long a claim lasts: longer than a call to the adapter (its timeout) with room to record the outcome. */
    static final Duration CLAIM = Duration.ofSeconds(90);

    private final Scanners scanners;
    private final ScanStore store;
    private final ScannerClient client;
    private final Supplier<TypeCatalog> catalog;
    private final ScanCredentials credentials;
    private final Clock clock;
    private final Semaphore wakeups = new Semaphore(0);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread worker;
    private volatile URI registryUrl = URI.create("http://127.0.0.1:5000");

    private ScanService(List<ScannerConfig> configs, Database database, Supplier<TypeCatalog> catalog,
                        ScanCredentials credentials, NodeId node, Clock clock) {
        this.scanners = new Scanners(configs);
        this.store = new ScanStore(database, node);
        this.client = new ScannerClient(OutboundHttp::newClient);
        this.catalog = catalog;
        this.credentials = credentials;
        this.clock = clock;
        this.worker = new Thread(this::run, "berth-scans");
        this.worker.setDaemon(true);
    }

    /** @param credentials what scanners are given to pull from Berth; {@link ScanCredentials#CONFIGURED} until issue #7 */
    public static ScanService create(List<ScannerConfig> scanners, Database database, Supplier<TypeCatalog> catalog,
                                     ScanCredentials credentials, Clock clock) {
        return create(scanners, database, catalog, credentials, NodeId.generate(), clock);
    }

    /** @param node this node, whose worker's claims bear its id */
    public static ScanService create(List<ScannerConfig> scanners, Database database, Supplier<TypeCatalog> catalog,
                                     ScanCredentials credentials, NodeId node, Clock clock) {
        return new ScanService(scanners, database, catalog, credentials, node, clock);
    }

    /** Scans claimed by a live worker now, and those overdue: due for a minute unclaimed, or left by a dead claim. */
    public record Claims(long claimed, long overdue) {
    }

    /** Blocking: scans claimed by a live worker now, and overdue ones, for the metrics. */
    public Claims claims() {
        return store.claims(clock.instant());
    }

    /** What the manifest index calls inside its write transactions: queues the scans of a pushed manifest. */
    public ChangeListener listener() {
        return new ChangeListener() {
            @Override
            public void written(Connection connection, Change change) throws SQLException {
                if (change instanceof Change.ManifestPut put && !scanners.isEmpty()) {
                    StoredManifest manifest = put.manifest();
                    List<String> accepting = accepting(manifest.classification().typeId());
                    if (!accepting.isEmpty()) {
                        store.queue(connection, manifest.repository(), manifest.digest(), accepting, clock.instant());
                    }
                }
            }

            @Override
            public void committed(Change change) {
                if (change instanceof Change.ManifestPut) {
                    wake();
                }
            }
        };
    }

    /** The handlers of {@code POST|GET /api/v1/artifact/scan} and {@code GET /api/v1/scanners}. */
    public ScanApi api(ManifestIndex manifests) {
        return new ScanApi(this, manifests);
    }

    /** Starts the worker; scan requests name {@code registryUrl} unless a scanner has a {@code registryUrl} of its own. */
    public void start(URI registryUrl) {
        this.registryUrl = registryUrl;
        if (!scanners.isEmpty()) {
            worker.start();
        }
    }

    /**
     * Blocking: how many scans are {@code queued} (waiting to be submitted or polled), {@code running} (submitted,
     * report pending), {@code done} and {@code failed}; what the metrics report as the scan queue.
     */
    public java.util.Map<String, Long> countsByStatus() {
        return store.countsByStatus();
    }

    @Override
    public ScanStatus status(Repository repository, Digest digest, String typeId) {
        if (scanners.isEmpty()) {
            return ScanStatus.NOT_SCANNABLE;
        }
        List<String> accepting = accepting(typeId);
        if (!accepting.isEmpty()) {
            return ownStatus(repository, digest, accepting);
        }
        List<ScanStatus> children = new ArrayList<>();
        for (ScanStore.Child child : store.children(repository, digest)) {
            List<String> childAccepting = accepting(child.typeId());
            children.add(childAccepting.isEmpty() ? ScanStatus.NOT_SCANNABLE
                    : ownStatus(repository, child.digest(), childAccepting));
        }
        return ScanStatus.ofChildren(children);
    }

    /** Queues a fresh scan of the manifest — or of its children, for an index no scanner takes whole — and says where it stands. */
    ScanStatus scanNow(StoredManifest manifest) {
        Instant now = clock.instant();
        List<String> accepting = accepting(manifest.classification().typeId());
        if (!accepting.isEmpty()) {
            store.requeue(manifest.repository(), manifest.digest(), accepting, now);
        } else {
            for (ScanStore.Child child : store.children(manifest.repository(), manifest.digest())) {
                List<String> childAccepting = accepting(child.typeId());
                if (!childAccepting.isEmpty()) {
                    store.requeue(manifest.repository(), child.digest(), childAccepting, now);
                }
            }
        }
        wake();
        return status(manifest.repository(), manifest.digest(), manifest.classification().typeId());
    }

    /** Every scan of the manifest, with reports. */
    List<ScanStore.Row> scans(Repository repository, Digest digest) {
        return store.scans(repository, digest, true);
    }

    Scanners scanners() {
        return scanners;
    }

    TypeCatalog catalog() {
        return catalog.get();
    }

    private List<String> accepting(String typeId) {
        TypeCatalog types = catalog.get();
        return scanners.accepting(types.type(typeId).orElse(types.unknown()), types);
    }

    private ScanStatus ownStatus(Repository repository, Digest digest, List<String> accepting) {
        List<ScanStatus> statuses = new ArrayList<>();
        for (ScanStore.Row row : store.scans(repository, digest, false)) {
            if (accepting.contains(row.key().scanner())) {
                statuses.add(status(row));
            }
        }
        return statuses.isEmpty() ? ScanStatus.UNSCANNED : ScanStatus.ofScanners(statuses);
    }

    static ScanStatus status(ScanStore.Row row) {
        ScanStatus.State state = switch (row.status()) {
            case ScanStore.DONE -> ScanStatus.State.DONE;
            case ScanStore.FAILED -> ScanStatus.State.FAILED;
            default -> ScanStatus.State.PENDING;
        };
        return new ScanStatus(state, Optional.of(row.key().scanner()),
                state == ScanStatus.State.DONE ? row.summary() : Optional.empty(),
                state == ScanStatus.State.FAILED ? row.error() : Optional.empty(), Optional.of(row.updatedAt()));
    }

    // ---- the worker ----

    /** Scans may be due (queued by another node, or by a push here): the worker looks now. */
    public void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    private void run() {
        while (stopping.getCount() > 0) {
            try {
                fetchMetadataWhereDue();
                List<ScanStore.Due> due = store.claim(clock.instant(), BATCH, clock.instant().plus(CLAIM));
                if (due.isEmpty()) {
                    wakeups.tryAcquire(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                    continue;
                }
                for (ScanStore.Due scan : due) {
                    if (stopping.getCount() == 0) {
                        return;
                    }
                    if (store.holdClaim(scan.key(), clock.instant().plus(CLAIM))) { // the batch's last waited for the others
                        advance(scan);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("scans: the worker failed, pausing: {}", e.toString(), e);
                try {
                    if (stopping.await(5, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void fetchMetadataWhereDue() throws InterruptedException {
        Instant now = clock.instant();
        for (Scanners.Scanner scanner : scanners.all()) {
            if (scanner.metadata.isEmpty() && !now.isBefore(scanner.nextMetadataAttempt)) {
                try {
                    scanners.metadataFetched(scanner, client.metadata(scanner.config), catalog.get());
                } catch (ScannerClient.ScannerException e) {
                    scanners.metadataFailed(scanner, e.getMessage(),
                            now.plus(backoff(scanner.metadataFailures + 1)));
                }
            }
        }
    }

    /** Submits a queued scan or polls a running one. */
    private void advance(ScanStore.Due scan) throws InterruptedException {
        Instant now = clock.instant();
        ScanStore.Key key = scan.key();
        Optional<Scanners.Scanner> found = scanners.named(key.scanner());
        if (found.isEmpty()) {
            store.failed(key, "scanner " + key.scanner() + " is no longer configured", now);
            return;
        }
        Scanners.Scanner scanner = found.get();
        if (scanner.metadata.isEmpty()) {
            store.later(key, scanner.nextMetadataAttempt.isAfter(now) ? scanner.nextMetadataAttempt : now.plus(FIRST_RETRY),
                    "waiting for the adapter's metadata: " + scanner.metadataError.orElse("not read yet"), now);
            return;
        }
        ScannerMetadata metadata = scanner.metadata.get();
        Optional<String> reportType = metadata.reportType();
        if (reportType.isEmpty()) {
            store.failed(key, "the adapter produces no vulnerability report type Berth reads", now);
            return;
        }
        try {
            if (scan.status().equals(ScanStore.QUEUED)) {
                submit(scanner, metadata, scan, now);
            } else {
                poll(scanner, scan, reportType.get(), now);
            }
        } catch (ScannerClient.ScannerException e) {
            if (e.permanent || scan.attempts() + 1 >= MAX_ATTEMPTS) {
                LOG.warn("scan of {}@{} by {} failed: {}", key.repository(), key.digest(), key.scanner(), e.getMessage());
                store.failed(key, e.getMessage(), now);
            } else {
                String status = e.unknown ? ScanStore.QUEUED : scan.status();
                store.retry(key, status, e.getMessage(), now.plus(backoff(scan.attempts() + 1)), now);
            }
        }
    }

    private void submit(Scanners.Scanner scanner, ScannerMetadata metadata, ScanStore.Due scan, Instant now)
            throws ScannerClient.ScannerException, InterruptedException {
        TypeCatalog types = catalog.get();
        ArtifactType type = types.type(scan.typeId()).orElse(types.unknown());
        Optional<String> mimeType = Scanners.mimeType(metadata, type);
        if (!scanner.accepts(type, types) || mimeType.isEmpty()) {
            store.failed(scan.key(), "scanner " + scanner.name() + " does not accept type " + type.id(), now);
            return;
        }
        Repository repository = scan.key().repository();
        String id = client.scan(scanner.config, new ScannerClient.ScanRequest(
                scanner.config.registryUrl().orElse(registryUrl), credentials.authorization(scanner.config, repository),
                repository, scan.key().digest(), scan.tag(), mimeType.get()));
        store.submitted(scan.key(), id, now, now);
    }

    private void poll(Scanners.Scanner scanner, ScanStore.Due scan, String reportType, Instant now)
            throws ScannerClient.ScannerException, InterruptedException {
        Optional<String> id = scan.scanRequestId();
        if (id.isEmpty()) {
            store.retry(scan.key(), ScanStore.QUEUED, "running without a scan request id", now, now);
            return;
        }
        ScannerClient.Report report = client.report(scanner.config, id.get(), reportType);
        if (report instanceof ScannerClient.NotReady notReady) {
            Duration wait = notReady.refreshAfter().compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH
                    : notReady.refreshAfter().compareTo(MAX_RETRY) > 0 ? MAX_RETRY : notReady.refreshAfter();
            store.later(scan.key(), now.plus(wait), null, now);
            return;
        }
        ScannerClient.Ready ready = (ScannerClient.Ready) report;
        Summary summary;
        try {
            summary = Summary.of(JSON.readTree(ready.body()));
        } catch (IOException e) {
            throw new ScannerClient.ScannerException("the report is not JSON: " + e.getMessage(), true, false);
        }
        store.done(scan.key(), summary, ready.mimeType(), ready.body(), now);
        LOG.info("scan of {}@{} by {} done: {}", scan.key().repository(), scan.key().digest(), scanner.name(), summary);
    }

    /** 2 s doubling per attempt, at most 5 min. */
    private static Duration backoff(int attempts) {
        Duration delay = FIRST_RETRY;
        for (int i = 1; i < attempts && delay.compareTo(MAX_RETRY) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
    }

    /** Stops the worker after the call in flight and releases its claims, for another node to take at once. */
    @Override
    public void close() {
        stopping.countDown();
        wakeups.release();
        if (worker.isAlive()) {
            try {
                worker.join(35_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!scanners.isEmpty() && !worker.isAlive()) {
            try {
                store.releaseClaims();
            } catch (RuntimeException e) {
                LOG.warn("scans: releasing this node's claims failed, they lapse after {}: {}", CLAIM, e.toString());
            }
        }
    }
}
