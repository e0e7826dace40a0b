package io.berth.server;

import io.berth.server.auth.Security;
import io.berth.server.blob.BlobIntegrity;
import io.berth.server.blob.BlobStore;
import io.berth.server.blob.UploadSessions;
import io.berth.server.config.BerthConfig;
import io.berth.server.event.Events;
import io.berth.server.gc.GarbageCollection;
import io.berth.server.handler.BlobHandler;
import io.berth.server.handler.ListHandlers;
import io.berth.server.handler.ManifestHandler;
import io.berth.server.handler.Paging;
import io.berth.server.handler.UploadHandler;
import io.berth.server.http.AccessLog;
import io.berth.server.http.Health;
import io.berth.server.http.RequestObserver;
import io.berth.server.http.HttpEdge;
import io.berth.server.http.Route;
import io.berth.server.http.Router;
import io.berth.server.http.TokenRoute;
import io.berth.server.http.Workers;
import io.berth.server.meta.BackgroundJobs;
import io.berth.server.meta.ChangeFeed;
import io.berth.server.meta.ChangeListener;
import io.berth.server.meta.ClusterNodes;
import io.berth.server.meta.JobLease;
import io.berth.server.meta.ReadOnlyRecord;
import io.berth.server.meta.RevocationRecords;
import io.berth.server.meta.ScrubRecords;
import io.berth.server.meta.SigningKeyRecord;
import io.berth.server.meta.Database;
import io.berth.server.meta.DatabaseCheck;
import io.berth.server.meta.BlobIndex;
import io.berth.server.meta.BlobInventory;
import io.berth.server.meta.CachedBlobIndex;
import io.berth.server.meta.CachedManifestIndex;
import io.berth.server.meta.JdbcBlobIndex;
import io.berth.server.meta.JdbcManifestIndex;
import io.berth.server.meta.JdbcArtifactListing;
import io.berth.server.meta.JdbcClassificationIndex;
import io.berth.server.meta.JdbcStorageUsage;
import io.berth.server.meta.LocalUploadClaims;
import io.berth.server.meta.UploadIndex;
import io.berth.server.meta.JdbcUploadIndex;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.listing.ListingApi;
import io.berth.server.metrics.Metrics;
import io.berth.server.readiness.ReadinessApi;
import io.berth.server.readiness.ReadinessProbe;
import io.berth.server.readiness.WriteAccess;
import io.berth.server.retention.Retention;
import io.berth.server.retention.RetentionApi;
import io.berth.server.scan.ScanCredentials;
import io.berth.server.scan.ScanService;
import io.berth.server.scrub.ScrubApi;
import io.berth.server.scrub.Scrubber;
import io.berth.server.startup.ConfigException;
import io.berth.server.startup.Preflight;
import io.berth.server.tls.ServerTls;
import io.berth.server.type.Retyping;
import io.berth.server.type.TypeCatalogWatcher;
import io.berth.server.ui.WebUi;
import io.berth.server.usage.UsageApi;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running registry. {@link #start} wires the object graph by hand — database, blob store, upload sessions,
 * handlers, routes — and returns once the server listens; {@link #close} lets in-flight requests finish first.
 */
public final class BerthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BerthServer.class);
    private static final long SHUTDOWN_GRACE_SECONDS = 30;
    private static final long TYPES_POLL_MILLIS = 2000;
    /** How stale a tag or manifest read from the cache may be when another node sharing the database changed it. */
    private static final long TAG_CACHE_MILLIS = 1000;
    private static final long MANIFEST_CACHE_MILLIS = 60_000;
    private static final long MANIFEST_CACHE_BYTES = 16 << 20;
    private static final int BLOB_CACHE_ENTRIES = 20_000;
    /** Vert.x's own pools: the file writes of uploads and its other blocking work. */
    private static final int FILE_AND_WORKER_THREADS = 8;
    /** The listing API's pages: 100 entries unless the client asks for more (artifacts render heavier than tags). */
    private static final int LISTING_PAGE_SIZE = 100;

    private final Vertx vertx;
    private final HttpServer http;
    private final Workers workers;
    private final Database database;
    private final Events events;
    private final ScanService scans;
    private final Metrics metrics;
    private final AccessLog accessLog;
    private final List<Route> routes;
    private final Scrubber scrubber;
    private final Cluster cluster;

    private BerthServer(Vertx vertx, HttpServer http, Workers workers, Database database, Events events,
                        ScanService scans, Metrics metrics, AccessLog accessLog, List<Route> routes, Scrubber scrubber,
                        Cluster cluster) {
        this.cluster = cluster;
        this.vertx = vertx;
        this.http = http;
        this.workers = workers;
        this.database = database;
        this.events = events;
        this.scans = scans;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.routes = routes;
        this.scrubber = scrubber;
    }

    /** Starts the registry and returns once it listens. */
    public static BerthServer start(BerthConfig config) {
        return start(config, Clock.systemUTC(), UnaryOperator.identity());
    }

    /** As {@link #start(BerthConfig)}, with {@code clock} for everything that dates or ages content (tests move it). */
    public static BerthServer start(BerthConfig config, Clock clock) {
        return start(config, clock, UnaryOperator.identity());
    }

    /**
     * As {@link #start(BerthConfig, Clock)}, with the blob store seen through {@code storage}: the fault tests put
     * failures between the registry and its disk (a full disk, a read-only file system) without needing to make one.
     */
    public static BerthServer start(BerthConfig config, Clock clock, UnaryOperator<BlobStore> storage) {
        // Netty's flight-recorder events would start the recorder's metadata on the first buffer allocation (~0.1 s
        // into the first request, and resident memory) although nothing records; -Dio.netty.jfr.enabled=true brings them back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        // The type catalog (JSON, SVG checks) and Vert.x start on other threads while Flyway brings the schema up to date.
        CompletableFuture<TypeCatalogWatcher> loadingTypes =
                CompletableFuture.supplyAsync(() -> new TypeCatalogWatcher(config.typesDir()));
        CompletableFuture<Vertx> startingVertx =
                CompletableFuture.supplyAsync(() -> Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
                        .setWorkerPoolSize(FILE_AND_WORKER_THREADS).setInternalBlockingPoolSize(FILE_AND_WORKER_THREADS)));
        Metrics metrics = Metrics.start(clock, Optional.of(config.node()));
        Database database;
        try {
            database = Database.open(config.database(), metrics.databasePool());
        } catch (RuntimeException e) {
            startingVertx.thenAccept(Vertx::close);
            metrics.close();
            throw e instanceof ConfigException ? e : DatabaseCheck.openFailure(config.database(), e);
        }
        Events events = null;
        ScanService scans = null;
        Scrubber scrubber = null;
        AccessLog accessLog = null;
        Cluster cluster = null;
        Vertx vertx = startingVertx.join();
        try {
            ChangeFeed feed = ChangeFeed.of(database, config.database(), config.node()).start();
            cluster = new Cluster(feed, new ClusterNodes(database, config.node(), clock), new ArrayList<>());
            // Reads, writes and probes on pools of their own: writes waiting for the database starve neither.
            Workers workers = Workers.start(vertx, config.workers(), config.database().waitTimeout());
            TypeCatalogWatcher types = loadingTypes.join();
            // On PostgreSQL the signing key (unless a file is configured) and the sign-outs are the database's, for all nodes.
            Security security = Security.start(config.auth(), config.dataDir(), vertx, workers.reads(),
                    database.shared() ? Optional.of(new Security.Shared(new SigningKeyRecord(database),
                            new RevocationRecords(database, feed))) : Optional.empty());
            cluster.join(security.signingKeyId(), config.auth().token().key().isPresent());
            events = Events.create(config.events(), database, types, config.node(), clock);
            scans = ScanService.create(config.scanners(), database, types, scanCredentials(security), config.node(), clock);
            // Events last: taking the next event seq locks a row until commit, so it should be the transaction's last step.
            ChangeListener changes = feed.listener().andThen(scans.listener()).andThen(events.listener());
            // Immutability and quotas are checked inside the indexes' write transactions: every writer obeys them.
            CachedBlobIndex blobIndex = new CachedBlobIndex(new JdbcBlobIndex(database, clock, changes,
                    config.gc().touchAfter(), config.quotas()), clock, MANIFEST_CACHE_MILLIS, BLOB_CACHE_ENTRIES,
                    Optional.of(feed));
            CachedManifestIndex manifests = new CachedManifestIndex(new JdbcManifestIndex(database, clock, changes,
                    config.immutability(), config.quotas()), clock, TAG_CACHE_MILLIS, MANIFEST_CACHE_MILLIS,
                    MANIFEST_CACHE_BYTES, feed::ttl);
            BlobStore blobs = metrics.counted(storage.apply(config.storageDriver().open(config.dataDir(), vertx)),
                    config.storageDriver().name());
            BlobIntegrity integrity = new BlobIntegrity(blobs, config.storage().verifyOnReadBelow(), clock);
            WriteAccess writes = new WriteAccess(config.storage().readOnly(),
                    Optional.of(new ReadOnlyRecord(database, feed)), clock);
            cluster.follow(vertx, workers.writes(), manifests, blobIndex, writes, security, events, scans);
            BlobInventory inventory = new BlobInventory(database);
            ReadinessProbe probe = new ReadinessProbe(blobs, () -> {
                inventory.checkWritable(clock.millis());
                return null;
            }, config.storage(), writes, clock);
            scrubber = new Scrubber(inventory, integrity, new ScrubRecords(database),
                    cluster.lease(database, "scrub", config.node(), clock), config.node(), config.storage().scrubRate(), clock);
            UploadIndex uploads = database.shared() ? new JdbcUploadIndex(database)
                    : new LocalUploadClaims(new JdbcUploadIndex(database), config.uploads().touchPeriod());
            UploadSessions sessions = new UploadSessions(vertx, blobs, uploads, blobIndex, clock, config.uploads());
            metrics.watch(sessions, events.api(), scans);
            watchTypes(vertx, workers.writes(), types, new Retyping(new JdbcClassificationIndex(database), types), () -> {
                manifests.invalidateAll(); // cached manifests carry their type: here and on the other nodes
                feed.publish(ChangeFeed.Topic.MANIFESTS, ChangeFeed.EVERYTHING);
            });
            expireUploads(vertx, workers.writes(), sessions, cluster.lease(database, "upload-expiry", config.node(), clock));
            GarbageCollection gc = GarbageCollection.start(config.gc(), database, blobs, blobIndex, vertx,
                    workers.writes(), clock, config.node(), writes::deletionsRefused);
            probe.start(vertx, workers.writes());
            metrics.watch(integrity, scrubber, writes, probe);
            metrics.watch(new BackgroundJobs(database), cluster.nodes(), scans, config.node());
            Storage guarded = new Storage(integrity, writes, new ReadinessApi(probe, writes),
                    new ScrubApi(scrubber, vertx, config.storage().scrubRate()));
            List<String> unknownTypes = config.retention().unknownTypes(types.get());
            if (!unknownTypes.isEmpty()) {
                throw new ConfigException(unknownTypes);
            }
            Retention retention = Retention.start(config.retention(), database, manifests, config.immutability(),
                    writes::deletionsRefused, vertx, workers.writes(), clock, config.node());
            if (config.log().access()) {
                accessLog = AccessLog.toStandardOutput(config.log().format());
                metrics.watch(accessLog);
            }
            Router router = routes(config, workers, blobIndex, manifests, types, blobs, sessions, clock, security,
                    events, scans, gc, retention, metrics, Optional.ofNullable(accessLog), guarded,
                    new ListingApi(new JdbcArtifactListing(database), manifests, types, scans,
                            new Paging.Limits(LISTING_PAGE_SIZE, config.limits().maxPageSize())),
                    new UsageApi(new JdbcStorageUsage(database), sessions, config.quotas()));
            HttpEdge edge = new HttpEdge(config.limits().clients());
            metrics.watch(edge, workers);
            HttpServer http = listen(config, vertx.createHttpServer(edge.configure(ServerTls.configure(config.tls(),
                            new HttpServerOptions()
                            .setHost(config.host())
                            .setPort(config.port())
                            .setHandle100ContinueAutomatically(true)
                            .setCompressionSupported(false))))
                    .connectionHandler(edge)
                    .requestHandler(router));
            ServerTls.watch(config.tls(), vertx, workers.reads(), http);
            LOG.info("Berth listens on {}://{}:{} with data in {} and metadata in {}", config.tls().enabled() ? "https" : "http",
                    config.host(), http.actualPort(), config.dataDir().toAbsolutePath(), config.database().url());
            events.start(config.host(), http.actualPort());
            scans.start(URI.create((config.tls().enabled() ? "https://" : "http://") + registryAddress(config.host())
                    + ":" + http.actualPort()));
            return new BerthServer(vertx, http, workers, database, events, scans, metrics, accessLog, router.routes(),
                    scrubber, cluster);
        } catch (RuntimeException e) {
            closeQuietly(scrubber);
            closeQuietly(events);
            closeQuietly(scans);
            closeQuietly(accessLog);
            closeQuietly(cluster);
            vertx.close().await();
            database.close();
            metrics.close();
            throw e;
        }
    }

    /**
     * Listens, or names what is wrong: {@code berth serve} checks the address before anything starts, but another
     * program may take it in between, and Vert.x reads the TLS files only now.
     */
    private static HttpServer listen(BerthConfig config, HttpServer server) {
        try {
            return server.listen().await();
        } catch (Exception e) { // await() rethrows the failure as it is: a BindException too, though checked
            String reason = Preflight.rootMessage(e).toLowerCase(java.util.Locale.ROOT);
            if (config.tls().enabled() && !(reason.contains("address") || reason.contains("permission denied"))) {
                throw new ConfigException("TLS certificate " + config.tls().certificate().get() + " and key "
                        + config.tls().key().get() + " cannot be used (" + Preflight.rootMessage(e)
                        + "); give a PEM certificate chain and its PEM private key", e);
            }
            throw new ConfigException(Preflight.listenProblem(config.host(), config.port(), "--listen", e), e);
        }
    }

    /**
     * From the start and then every {@link io.berth.server.blob.UploadsConfig#sweepPeriod}, ends the upload sessions
     * untouched for {@code uploads.expireAfter} and removes their bytes and the upload files without a session; one
     * sweep at a time across the nodes sharing the database: the holder of the {@code upload-expiry} lease sweeps, and
     * keeps it from sweep to sweep; another node takes it over once it lapses.
     */
    private static void expireUploads(Vertx vertx, WorkerExecutor workers, UploadSessions sessions, JobLease lease) {
        java.time.Duration expireAfter = sessions.config().expireAfter();
        java.time.Duration leaseTtl = sessions.config().sweepPeriod().multipliedBy(2).plusMinutes(1);
        AtomicBoolean sweeping = new AtomicBoolean();
        vertx.setPeriodic(0, sessions.config().sweepPeriod().toMillis(), timer -> {
            if (!sweeping.compareAndSet(false, true)) {
                return;
            }
            workers.executeBlocking(() -> lease.acquire(leaseTtl) ? sessions.expire() : new UploadSessions.Expiry(0, 0, 0),
                            false)
                    .onComplete(done -> sweeping.set(false))
                    .onSuccess(expiry -> {
                        if (!expiry.isEmpty()) {
                            LOG.info("upload expiry: ended {} session(s) untouched for {} and removed {} upload file(s)"
                                    + " without a session, freeing {} bytes", expiry.sessions(), expireAfter,
                                    expiry.orphanFiles(), expiry.bytes());
                        }
                    })
                    .onFailure(e -> LOG.error("upload expiry failed", e));
        });
    }

    /** What guards the stored bytes: their checks, read-only mode, readiness and the scrub. */
    private record Storage(BlobIntegrity integrity, WriteAccess writes, ReadinessApi readiness, ScrubApi scrub) {
    }

    /** With authorization on, a scanner gets a short-lived pull token for the one repository it scans. */
    private static ScanCredentials scanCredentials(Security security) {
        return security.tokens()
                .<ScanCredentials>map(tokens -> (scanner, repository) ->
                        "Bearer " + tokens.pullToken("scanner/" + scanner.name(), repository))
                .orElse(ScanCredentials.CONFIGURED);
    }

    /**
     * Re-types stored manifests now (the catalog may have changed while the registry was down) and whenever a type
     * file changes; one run at a time, in the background. After a run that changed types, {@code retyped} runs.
     */
    private static void watchTypes(Vertx vertx, WorkerExecutor workers, TypeCatalogWatcher types, Retyping retyping,
                                   Runnable retyped) {
        AtomicBoolean running = new AtomicBoolean(true);
        Runnable retype = () -> workers.executeBlocking(() -> {
                    int changed = retyping.run();
                    if (changed > 0) {
                        retyped.run();
                    }
                    return changed;
                }, false)
                .onComplete(done -> running.set(false))
                .onFailure(e -> LOG.error("re-typing manifests failed", e));
        retype.run();
        vertx.setPeriodic(TYPES_POLL_MILLIS, timer -> {
            if (running.compareAndSet(false, true)) {
                workers.executeBlocking(types::refresh, false).onComplete(changed -> {
                    if (changed.succeeded() && changed.result()) {
                        retype.run();
                    } else {
                        running.set(false);
                    }
                });
            }
        });
    }

    private static Router routes(BerthConfig config, Workers workers, BlobIndex blobIndex,
                                 ManifestIndex manifests, TypeCatalogWatcher types, BlobStore blobs,
                                 UploadSessions sessions, Clock clock, Security security, Events events,
                                 ScanService scans, GarbageCollection gc, Retention retention, Metrics metrics,
                                 Optional<AccessLog> accessLog,
                                 Storage storage, ListingApi listing, UsageApi usage) {
        ManifestHandler manifest = new ManifestHandler(manifests, storage.integrity(), types,
                config.limits().maxManifestBytes(), config.deleteEnabled(), clock);
        return RouteTable.build(workers, security.access(), new RouteTable.Handlers(new Health(),
                new BlobHandler(blobIndex, blobs, storage.integrity(), config.deleteEnabled()),
                new UploadHandler(sessions, blobIndex, storage.integrity()),
                manifest, retention.pulls().recording(events.pulls(manifest::get, manifests)),
                new ListHandlers(manifests, new Paging.Limits(config.limits().defaultPageSize(), config.limits().maxPageSize())),
                listing, scans.api(manifests), events.api(), metrics::scrape, usage, gc.api(), new RetentionApi(retention),
                security.tokens().map(TokenRoute::new),
                config.uiEnabled() ? Optional.of(new WebUi(config.auth().enabled())) : Optional.empty(),
                storage.readiness(), storage.scrub(), storage.writes()),
                table -> metrics.requests(table).andThen(accessLog.<RequestObserver>map(log -> log).orElse(RequestObserver.NONE)));
    }

    /** How a scanner adapter on this machine reaches the registry: the listen address, loopback for a wildcard. */
    private static String registryAddress(String host) {
        String address = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            LOG.warn("closing {} failed", closeable, e);
        }
    }

    public int port() {
        return http.actualPort();
    }

    /** Every route this server answers, with the access it needs. */
    public List<Route> routes() {
        return routes;
    }

    /**
     * Stops accepting, lets in-flight requests finish (up to 30 s), stops event delivery and scanning after the calls
     * in flight (what is pending stays in the database), then closes the database. On a database other nodes may share,
     * delivery and scanning stop first and release their leases and claims, so that another node goes on at once.
     */
    @Override
    public void close() {
        if (database.shared()) { // other nodes take the deliveries and scans over now, not after the requests drained
            closeQuietly(events);
            closeQuietly(scans);
        }
        try {
            http.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS).await();
        } finally {
            closeQuietly(scrubber);
            closeQuietly(events);
            closeQuietly(scans);
            closeQuietly(accessLog);
            closeQuietly(cluster);
            workers.close();
            vertx.close().await();
            database.close();
            metrics.close();
        }
    }
}
