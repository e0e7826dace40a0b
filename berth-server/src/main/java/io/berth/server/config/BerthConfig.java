package io.berth.server.config;

import io.berth.server.startup.ConfigException;
import io.berth.server.http.ClientLimits;
import io.berth.server.http.WorkerPools;
import io.berth.server.auth.AuthConfig;
import io.berth.server.blob.S3Config;
import io.berth.server.blob.StorageConfig;
import io.berth.server.blob.StorageDriverConfig;
import io.berth.server.blob.UploadsConfig;
import io.berth.server.event.EventsConfig;
import io.berth.server.gc.GcConfig;
import io.berth.server.immutability.ImmutabilityConfig;
import io.berth.server.quota.QuotasConfig;
import io.berth.server.log.LogConfig;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.NodeId;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.scan.ScannerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything {@code berth serve} needs, immutable and validated when built. Loaded once by {@link ConfigLoader}
 * from defaults, an optional YAML file, {@code BERTH_*} environment variables and command-line flags, in that order.
 *
 * @param host          the address to listen on ({@code 127.0.0.1} by default)
 * @param port          the port, 0 for any free port
 * @param dataDir       the root of the embedded default: blobs under {@code blobs/}, SQLite under {@code berth.db}
 * @param database      the metadata database
 * @param limits        request limits
 * @param deleteEnabled whether DELETE of manifests, tags and blobs is allowed (else 405 UNSUPPORTED)
 * @param typesDir      artifact type files (Berth's format or the seed's mediaTypeMappings.json), watched for changes
 * @param uiEnabled     whether the web UI is served at {@code /} (else its paths answer 404; the API stays)
 * @param auth          authorization ({@link AuthConfig#NONE}: every request allowed)
 * @param tls           HTTPS ({@link TlsConfig#NONE}: plain HTTP)
 * @param events        where events are delivered, and whether pulls make events
 * @param scanners      the scanner adapters artifacts are sent to
 * @param log           the log level, and the access log's format and whether there is one
 * @param uploads       when untouched upload sessions expire
 * @param gc            when garbage collection runs, and how long unreferenced blobs are kept
 * @param storage       the free-space reserve, read-only mode, verify-on-read and the scrub's rate
 * @param immutability  the tags that may neither move nor go
 * @param quotas        the limits on bytes and manifests per repository and namespace
 * @param retention     the retention policies and when they run
 * @param workers       the sizes of the read, write and probe worker pools, and how many writes may queue
 * @param storageDriver where blob bytes live: the data directory's file system, or an S3 bucket
 * @param node          this node's id among those sharing the database ({@code node.id}; else from the host and listen address, {@link NodeId#of})
 */
public record BerthConfig(String host, int port, Path dataDir, DatabaseConfig database, Limits limits,
                          boolean deleteEnabled, Path typesDir, boolean uiEnabled, AuthConfig auth, TlsConfig tls,
                          EventsConfig events, List<ScannerConfig> scanners, LogConfig log, UploadsConfig uploads,
                          GcConfig gc, StorageConfig storage,
                          ImmutabilityConfig immutability, QuotasConfig quotas, RetentionConfig retention,
                          WorkerPools workers, StorageDriverConfig storageDriver, NodeId node) {

    public BerthConfig {
        node = node == null ? NodeId.of(host == null ? "" : host, port) : node;
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("listen host must not be empty");
        }
        if (port < 0 || port > 65535) {
            problems.add("listen port must be 0..65535, was " + port);
        }
        if (dataDir == null) {
            problems.add("data directory must be set");
        }
        if (database == null) {
            problems.add("database must be set");
        }
        if (limits == null) {
            problems.add("limits must be set");
        }
        if (typesDir == null) {
            problems.add("types directory must be set");
        }
        events = events == null ? EventsConfig.NONE : events;
        scanners = scanners == null ? List.of() : List.copyOf(scanners);
        auth = auth == null ? AuthConfig.NONE : auth;
        tls = tls == null ? TlsConfig.NONE : tls;
        log = log == null ? LogConfig.DEFAULT : log;
        uploads = uploads == null ? UploadsConfig.DEFAULT : uploads;
        gc = gc == null ? GcConfig.DEFAULT : gc;
        storage = storage == null ? StorageConfig.DEFAULT : storage;
        immutability = immutability == null ? ImmutabilityConfig.NONE : immutability;
        quotas = quotas == null ? QuotasConfig.NONE : quotas;
        retention = retention == null ? RetentionConfig.NONE : retention;
        workers = workers == null ? WorkerPools.DEFAULT : workers;
        storageDriver = storageDriver == null ? StorageDriverConfig.FILESYSTEM : storageDriver;
        problems.addAll(auth.problems());
        problems.addAll(storage.problems());
        problems.addAll(workers.problems());
        problems.addAll(uploads.problems());
        if (storageDriver instanceof S3Config s3) {
            problems.addAll(s3.problems());
        }
        if (auth.enabled() && !tls.enabled() && !tls.allowPlainHttpAuth() && host != null && !isLoopback(host)) {
            problems.add("authorization over plain HTTP on " + host + " would send passwords and tokens in clear:"
                    + " configure tls (certificate and key), listen on a loopback address, or set"
                    + " tls.allowPlainHttpAuth: true when a proxy in front terminates TLS");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** With the file system for blobs and a generated node id. */
    public BerthConfig(String host, int port, Path dataDir, DatabaseConfig database, Limits limits,
                       boolean deleteEnabled, Path typesDir, boolean uiEnabled, AuthConfig auth, TlsConfig tls,
                       EventsConfig events, List<ScannerConfig> scanners, LogConfig log, UploadsConfig uploads,
                       GcConfig gc, StorageConfig storage, ImmutabilityConfig immutability, QuotasConfig quotas,
                       RetentionConfig retention, WorkerPools workers) {
        this(host, port, dataDir, database, limits, deleteEnabled, typesDir, uiEnabled, auth, tls, events, scanners,
                log, uploads, gc, storage, immutability, quotas, retention, workers, StorageDriverConfig.FILESYSTEM, null);
    }

    /** With the default storage settings and worker pools, and no immutability rules, quotas or retention policies. */
    public BerthConfig(String host, int port, Path dataDir, DatabaseConfig database, Limits limits,
                       boolean deleteEnabled, Path typesDir, boolean uiEnabled, AuthConfig auth, TlsConfig tls,
                       EventsConfig events, List<ScannerConfig> scanners, LogConfig log, UploadsConfig uploads,
                       GcConfig gc) {
        this(host, port, dataDir, database, limits, deleteEnabled, typesDir, uiEnabled, auth, tls, events, scanners,
                log, uploads, gc, StorageConfig.DEFAULT, ImmutabilityConfig.NONE, QuotasConfig.NONE,
                RetentionConfig.NONE, WorkerPools.DEFAULT);
    }

    /** With the default upload expiry and garbage collection. */
    public BerthConfig(String host, int port, Path dataDir, DatabaseConfig database, Limits limits,
                       boolean deleteEnabled, Path typesDir, boolean uiEnabled, AuthConfig auth, TlsConfig tls,
                       EventsConfig events, List<ScannerConfig> scanners, LogConfig log) {
        this(host, port, dataDir, database, limits, deleteEnabled, typesDir, uiEnabled, auth, tls, events, scanners,
                log, UploadsConfig.DEFAULT, GcConfig.DEFAULT);
    }

    /** With the default logging. */
    public BerthConfig(String host, int port, Path dataDir, DatabaseConfig database, Limits limits,
                       boolean deleteEnabled, Path typesDir, boolean uiEnabled, AuthConfig auth, TlsConfig tls,
                       EventsConfig events, List<ScannerConfig> scanners) {
        this(host, port, dataDir, database, limits, deleteEnabled, typesDir, uiEnabled, auth, tls, events, scanners,
                LogConfig.DEFAULT);
    }

    /** Without authorization and TLS, with the types directory under the data directory. */
    public BerthConfig(String host, int port, Path dataDir, DatabaseConfig database, Limits limits,
                       boolean deleteEnabled) {
        this(host, port, dataDir, database, limits, deleteEnabled, dataDir == null ? null : dataDir.resolve("types"),
                true, AuthConfig.NONE, TlsConfig.NONE, EventsConfig.NONE, List.of());
    }

    /**
     * Whether listening on {@code host} is reachable from this machine only: every address it resolves to is a
     * loopback address ({@code 127.0.0.0/8}, {@code ::1}; {@code localhost} resolves to one). Decided by the resolved
     * address, never by the spelling ({@code 127.example.com} is a name like any other); a name that does not resolve
     * is not loopback.
     */
    static boolean isLoopback(String host) {
        if (host.isBlank()) {
            return false; // InetAddress would read "" as the loopback address, a listener as every address
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /** The embedded default: SQLite and filesystem blobs under {@code dataDir}, listening on 127.0.0.1:5000. */
    public static BerthConfig defaults(Path dataDir) {
        return new BerthConfig("127.0.0.1", 5000, dataDir, DatabaseConfig.sqlite(dataDir), Limits.DEFAULT, true);
    }

    public BerthConfig withListen(String host, int port) {
        return copy(c -> {
            c.host = host;
            c.port = port;
        });
    }

    public BerthConfig withDeleteEnabled(boolean enabled) {
        return copy(c -> c.deleteEnabled = enabled);
    }

    public BerthConfig withDatabase(DatabaseConfig database) {
        return copy(c -> c.database = database);
    }

    public BerthConfig withLimits(Limits limits) {
        return copy(c -> c.limits = limits);
    }

    public BerthConfig withTypesDir(Path typesDir) {
        return copy(c -> c.typesDir = typesDir);
    }

    public BerthConfig withUiEnabled(boolean uiEnabled) {
        return copy(c -> c.uiEnabled = uiEnabled);
    }

    public BerthConfig withEvents(EventsConfig events) {
        return copy(c -> c.events = events);
    }

    public BerthConfig withScanners(List<ScannerConfig> scanners) {
        return copy(c -> c.scanners = scanners);
    }

    public BerthConfig withAuth(AuthConfig auth) {
        return copy(c -> c.auth = auth);
    }

    public BerthConfig withTls(TlsConfig tls) {
        return copy(c -> c.tls = tls);
    }

    public BerthConfig withLog(LogConfig log) {
        return copy(c -> c.log = log);
    }

    public BerthConfig withUploads(UploadsConfig uploads) {
        return copy(c -> c.uploads = uploads);
    }

    public BerthConfig withGc(GcConfig gc) {
        return copy(c -> c.gc = gc);
    }

    public BerthConfig withStorage(StorageConfig storage) {
        return copy(c -> c.storage = storage);
    }

    public BerthConfig withStorageDriver(StorageDriverConfig storageDriver) {
        return copy(c -> c.storageDriver = storageDriver);
    }

    public BerthConfig withImmutability(ImmutabilityConfig immutability) {
        return copy(c -> c.immutability = immutability);
    }

    public BerthConfig withQuotas(QuotasConfig quotas) {
        return copy(c -> c.quotas = quotas);
    }

    public BerthConfig withRetention(RetentionConfig retention) {
        return copy(c -> c.retention = retention);
    }

    public BerthConfig withWorkers(WorkerPools workers) {
        return copy(c -> c.workers = workers);
    }

    public BerthConfig withNode(NodeId node) {
        return copy(c -> c.node = node);
    }

    /** This configuration with {@code change} made to a copy of its fields, validated again. */
    private BerthConfig copy(Consumer<Fields> change) {
        Fields fields = new Fields(this);
        change.accept(fields);
        return fields.build();
    }

    /** The fields of a configuration, to change a few of them for a copy. */
    private static final class Fields {
        String host;
        int port;
        Path dataDir;
        DatabaseConfig database;
        Limits limits;
        boolean deleteEnabled;
        Path typesDir;
        boolean uiEnabled;
        AuthConfig auth;
        TlsConfig tls;
        EventsConfig events;
        List<ScannerConfig> scanners;
        LogConfig log;
        UploadsConfig uploads;
        GcConfig gc;
        StorageConfig storage;
        ImmutabilityConfig immutability;
        QuotasConfig quotas;
        RetentionConfig retention;
        WorkerPools workers;
        StorageDriverConfig storageDriver;
        NodeId node;

        Fields(BerthConfig config) {
            host = config.host;
            port = config.port;
            dataDir = config.dataDir;
            database = config.database;
            limits = config.limits;
            deleteEnabled = config.deleteEnabled;
            typesDir = config.typesDir;
            uiEnabled = config.uiEnabled;
            auth = config.auth;
            tls = config.tls;
            events = config.events;
            scanners = config.scanners;
            log = config.log;
            uploads = config.uploads;
            gc = config.gc;
            storage = config.storage;
            immutability = config.immutability;
            quotas = config.quotas;
            retention = config.retention;
            workers = config.workers;
            storageDriver = config.storageDriver;
            // One derived from the address is derived again from the copy's (withListen).
            node = config.node.equals(NodeId.of(config.host, config.port)) ? null : config.node;
        }

        BerthConfig build() {
            return new BerthConfig(host, port, dataDir, database, limits, deleteEnabled, typesDir, uiEnabled, auth, tls,
                    events, scanners, log, uploads, gc, storage, immutability, quotas, retention, workers,
                    storageDriver, node);
        }
    }

    /**
     * @param maxManifestBytes the largest manifest accepted (413 beyond it); 4 MiB as the spec suggests
     * @param defaultPageSize  tags, catalog and referrers page size when the client gives no {@code n}
     * @param maxPageSize      the largest {@code n} honoured
     * @param clients          time limits and connection counts for clients
     */
    public record Limits(int maxManifestBytes, int defaultPageSize, int maxPageSize, ClientLimits clients) {
        public static final Limits DEFAULT = new Limits(4 * 1024 * 1024, 10_000, 10_000);

        public Limits {
            clients = clients == null ? ClientLimits.DEFAULT : clients;
            List<String> problems = new ArrayList<>(clients.problems());
            if (maxManifestBytes < 1024 || defaultPageSize < 1 || maxPageSize < defaultPageSize) {
                problems.add(0, "limits: maxManifestBytes >= 1024, 1 <= defaultPageSize <= maxPageSize");
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
        }

        /** With the default client limits. */
        public Limits(int maxManifestBytes, int defaultPageSize, int maxPageSize) {
            this(maxManifestBytes, defaultPageSize, maxPageSize, ClientLimits.DEFAULT);
        }

        public Limits withClients(ClientLimits clients) {
            return new Limits(maxManifestBytes, defaultPageSize, maxPageSize, clients);
        }
    }
}
