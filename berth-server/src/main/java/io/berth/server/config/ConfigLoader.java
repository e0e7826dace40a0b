package io.berth.server.config;

import io.berth.server.startup.ConfigException;
import io.berth.server.startup.Preflight;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import io.berth.server.meta.DatabaseCheck;
import io.berth.server.http.ClientLimits;
import io.berth.server.http.WorkerPools;
import io.berth.server.auth.AuthConfig;
import io.berth.server.blob.S3BlobStore;
import io.berth.server.blob.S3Config;
import io.berth.server.blob.StorageConfig;
import io.berth.server.blob.StorageDriverConfig;
import io.berth.server.blob.UploadsConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.gc.GcConfig;
import io.berth.server.immutability.ImmutabilityConfig;
import io.berth.server.quota.QuotasConfig;
import io.berth.server.type.TypeCatalogWatcher;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.log.LogConfig;
import io.berth.server.meta.ByteSize;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.NodeId;
import io.berth.server.config.BerthConfig.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link BerthConfig} from, in increasing precedence: the defaults, a YAML file, {@code BERTH_*}
 * environment variables and command-line flags. Unknown keys and malformed values are reported together with
 * where they came from.
 *
 * <pre>
 * listen: 127.0.0.1:5000          # BERTH_LISTEN, --listen
 * data: ./berth-data              # BERTH_DATA, --data
 * database:
 *   url: jdbc:postgresql://db/berth   # BERTH_DATABASE_URL (default: SQLite under data)
 *   username: berth                   # BERTH_DATABASE_USERNAME
 *   password: secret                  # BERTH_DATABASE_PASSWORD
 *   maxPoolSize: 8                    # BERTH_DATABASE_MAX_POOL_SIZE
 *   waitTimeout: 10s                  # BERTH_DATABASE_WAIT_TIMEOUT: a wait for a lock or connection, then 503
 * limits:
 *   maxManifestBytes: 4194304
 *   defaultPageSize: 10000
 *   maxPageSize: 10000
 *   headerTimeout: 10s            # BERTH_LIMITS_HEADER_TIMEOUT: a request's headers complete within this
 *   idleTimeout: 60s              # BERTH_LIMITS_IDLE_TIMEOUT: idle keep-alive connections close after this
 *   minBodyRate: 1024             # BERTH_LIMITS_MIN_BODY_RATE: bytes/s a request body averages, 0 = off
 *   minBodyRateWindow: 10s        # BERTH_LIMITS_MIN_BODY_RATE_WINDOW: ... over this much waiting time
 *   maxConnections: 10000         # BERTH_LIMITS_MAX_CONNECTIONS
 *   maxConnectionsPerAddress: 512 # BERTH_LIMITS_MAX_CONNECTIONS_PER_ADDRESS
 * delete:
 *   enabled: true                 # BERTH_DELETE_ENABLED
 * types:
 *   directory: ./berth-data/types # BERTH_TYPES_DIRECTORY: artifact type files, reloaded on change
 * ui:
 *   enabled: true                 # BERTH_UI_ENABLED: the web UI at /
 * auth: …                         # see SecuritySections; --htpasswd, BERTH_AUTH_HTPASSWD
 * tls: …                          # BERTH_TLS_CERTIFICATE, BERTH_TLS_KEY
 * events:                         # see EventAndScanSettings
 *   pull: false                   # BERTH_EVENTS_PULL
 *   endpoints: […]
 * scanners: […]
 * uploads:
 *   expireAfter: 24h              # BERTH_UPLOADS_EXPIRE_AFTER: untouched upload sessions go with their bytes
 * log:
 *   level: info                   # BERTH_LOG_LEVEL: trace, debug, info, warn, error or off
 *   format: text                  # BERTH_LOG_FORMAT: the access log's lines, text (Apache combined+) or json
 *   access: true                  # BERTH_LOG_ACCESS: a line per request on standard output
 * gc:
 *   interval: 1h                  # BERTH_GC_INTERVAL: how often garbage collection runs, 0s = never on a schedule
 *   gracePeriod: 24h              # BERTH_GC_GRACE_PERIOD: unreferenced blobs younger than this are kept
 * storage:                        # see StorageConfig
 *   minFreeSpace: 1GiB            # BERTH_STORAGE_MIN_FREE_SPACE: below it the registry is read-only and not ready
 *   readOnly: false               # BERTH_STORAGE_READ_ONLY
 *   verifyOnReadBelow: 256KiB     # BERTH_STORAGE_VERIFY_ON_READ_BELOW: GETs of smaller blobs re-hash them, 0 = never
 *   scrubRate: 64MiB              # BERTH_STORAGE_SCRUB_RATE: bytes/s a scrub reads, 0 = unlimited
 *   checkInterval: 5s             # BERTH_STORAGE_CHECK_INTERVAL: free space and writability checks
 *   driver: filesystem            # BERTH_STORAGE_DRIVER: filesystem (under data) or s3, see StorageDriverSettings
 *   s3: {bucket: berth, …}        # BERTH_STORAGE_S3_*: the bucket, when driver is s3 (see S3Config)
 * immutability:                   # see ImmutabilityConfig
 *   rules: [{repositories: ["team/**"], tags: "^v", types: [oci-image]}]
 * quotas:                         # see QuotasConfig; sizes 500MiB, 10GiB, 1TB
 *   - {repositories: "**", bytes: 10GiB, manifests: 1000}
 *   - {namespaces: "*", bytes: 1TiB}
 * retention:                      # see RetentionSettings
 *   interval: 1h                  # BERTH_RETENTION_INTERVAL: how often the policies run, 0s = only on request
 *   policies: […]
 * workers:
 *   reads: 24                     # BERTH_WORKERS_READS: threads for GET and HEAD, access checks
 *   writes: 16                    # BERTH_WORKERS_WRITES: threads for the other methods, collection, expiry
 *   queuedWrites: 1024            # BERTH_WORKERS_QUEUED_WRITES: writes waiting for a thread, then 503
 * node:
 *   id: registry-1                # BERTH_NODE_ID: this node among those sharing the database (default: host name
 *                                 # and a random suffix); holder of its leases, node tag of its metrics
 * </pre>
 */
public final class ConfigLoader {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|)");
    private static final Set<String> TOP_LEVEL = Set.of("listen", "data", "database", "limits", "delete", "types",
            "ui", "auth", "tls", "events", "scanners", "log", "uploads", "gc", "storage", "immutability", "quotas",
            "retention", "workers", "node");
    private static final Set<String> NODE_KEYS = Set.of("id");
    private static final Set<String> LOG_KEYS = Set.of("level", "format", "access");
    private static final Set<String> UPLOADS_KEYS = Set.of("expireAfter");
    private static final Set<String> GC_KEYS = Set.of("interval", "gracePeriod");
    private static final Set<String> STORAGE_KEYS = Set.of("minFreeSpace", "readOnly", "verifyOnReadBelow", "scrubRate",
            "checkInterval", "driver", "s3");
    private static final Set<String> WORKERS_KEYS = Set.of("reads", "writes", "queuedWrites");

    /** Values given on the command line; empty ones leave the lower layers in force. */
    public record Flags(Optional<String> listen, Optional<Path> data, Optional<Path> configFile,
                        Optional<Path> htpasswd) {
        public Flags(Optional<String> listen, Optional<Path> data, Optional<Path> configFile) {
            this(listen, data, configFile, Optional.empty());
        }
    }

    private ConfigLoader() {
    }

    /** The configuration's values, without looking at the machine (see {@link #load(Flags, Map, Optional)}). */
    public static BerthConfig load(Flags flags, Map<String, String> environment) {
        return load(flags, environment, Optional.empty());
    }

    /**
     * The configuration, checked against the machine by {@code preflight} when given: the listen address can be
     * bound, the data directory written, the files it names read and the database reached. Every problem, of the
     * values and of the machine, is reported together in one {@link ConfigException}; nothing is created on disk.
     */
    public static BerthConfig load(Flags flags, Map<String, String> environment, Optional<Preflight> preflight) {
        List<String> problems = new ArrayList<>();
        JsonNode file = flags.configFile().map(path -> readYaml(path, problems)).orElse(null);
        if (file != null) {
            file.fieldNames().forEachRemaining(key -> {
                if (!TOP_LEVEL.contains(key)) {
                    problems.add(flags.configFile().get() + ": unknown key '" + key + "' (known: " + TOP_LEVEL + ")");
                }
            });
        }
        Layers layers = new Layers(file, environment);
        String listen = flags.listen().orElseGet(() -> layers.text("listen", "BERTH_LISTEN").orElse("127.0.0.1:5000"));
        String listenSetting = flags.listen().isPresent() ? "--listen" : layers.setting("listen", "BERTH_LISTEN", "--listen");
        Path data = flags.data().orElseGet(() -> layers.text("data", "BERTH_DATA")
                .flatMap(value -> path("data", value, problems)).orElse(Path.of("./berth-data")));
        String dataSetting = flags.data().isPresent() ? "--data" : layers.setting("data", "BERTH_DATA", "--data");
        int problemsBeforeListen = problems.size();
        String host = "127.0.0.1";
        int port = 5000;
        int colon = listen.lastIndexOf(':');
        try {
            host = colon > 0 ? listen.substring(0, colon) : host;
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            problems.add("listen must be HOST:PORT, was '" + listen + "' (" + listenSetting + "); e.g. 127.0.0.1:5000,"
                    + " or 0.0.0.0:5000 for every interface");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean listenParsed = problems.size() == problemsBeforeListen && !host.isBlank() && port >= 0 && port <= 65535;
        DatabaseConfig database = null;
        Limits limits = null;
        try {
            DatabaseConfig embedded = DatabaseConfig.sqlite(data);
            database = new DatabaseConfig(
                    layers.text("database.url", "BERTH_DATABASE_URL").orElse(embedded.url()),
                    layers.text("database.username", "BERTH_DATABASE_USERNAME").orElse(null),
                    layers.text("database.password", "BERTH_DATABASE_PASSWORD").orElse(null),
                    layers.integer("database.maxPoolSize", "BERTH_DATABASE_MAX_POOL_SIZE", problems).orElse(embedded.maxPoolSize()),
                    layers.duration("database.waitTimeout", "BERTH_DATABASE_WAIT_TIMEOUT", problems).orElse(embedded.waitTimeout()));
            limits = new Limits(
                    layers.integer("limits.maxManifestBytes", "BERTH_LIMITS_MAX_MANIFEST_BYTES", problems).orElse(Limits.DEFAULT.maxManifestBytes()),
                    layers.integer("limits.defaultPageSize", "BERTH_LIMITS_DEFAULT_PAGE_SIZE", problems).orElse(Limits.DEFAULT.defaultPageSize()),
                    layers.integer("limits.maxPageSize", "BERTH_LIMITS_MAX_PAGE_SIZE", problems).orElse(Limits.DEFAULT.maxPageSize()),
                    clientLimits(layers, problems));
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        boolean deleteEnabled = layers.bool("delete.enabled", "BERTH_DELETE_ENABLED", problems).orElse(true);
        boolean uiEnabled = layers.bool("ui.enabled", "BERTH_UI_ENABLED", problems).orElse(true);
        List<NamedFile> files = new ArrayList<>();
        AuthConfig auth = SecuritySections.auth(file, environment, flags.htpasswd(), problems, files);
        TlsConfig tls = SecuritySections.tls(file, environment, problems, files);
        var events = EventAndScanSettings.events(file == null ? null : file.get("events"),
                layers.bool("events.pull", "BERTH_EVENTS_PULL", problems).orElse(false), problems);
        var scanners = EventAndScanSettings.scanners(file == null ? null : file.get("scanners"), problems);
        Path types = layers.text("types.directory", "BERTH_TYPES_DIRECTORY")
                .flatMap(value -> path("types.directory", value, problems)).orElse(data.resolve("types"));
        // Built before the machine is checked, so that the record's own checks (authorization over plain HTTP) are
        // reported in the same run; without a database or limits there are problems already.
        LogConfig log = log(file, layers, problems);
        UploadsConfig uploads = uploads(file, layers, problems);
        GcConfig gc = gc(file, layers, problems);
        StorageConfig storage = storage(file, layers, problems);
        ImmutabilityConfig immutability = PolicySettings.immutability(file == null ? null : file.get("immutability"),
                knownTypes(types), problems);
        QuotasConfig quotas = PolicySettings.quotas(file == null ? null : file.get("quotas"), problems);
        RetentionConfig retention = RetentionSettings.retention(file == null ? null : file.get("retention"),
                layers.duration("retention.interval", "BERTH_RETENTION_INTERVAL", problems)
                        .orElse(RetentionConfig.NONE.interval()), problems);
        WorkerPools workers = workers(file, layers, problems);
        StorageDriverConfig storageDriver = StorageDriverSettings.driver(file, layers, problems);
        NodeId node = node(file, layers, problems);
        BerthConfig config = null;
        if (database != null && limits != null) {
            try {
                config = new BerthConfig(host, port, data, database, limits, deleteEnabled, types, uiEnabled, auth, tls,
                        events, scanners, log, uploads, gc, storage, immutability, quotas, retention,
                        workers, storageDriver, node);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (preflight.isPresent()) {
            Preflight machine = preflight.get();
            if (listenParsed) {
                machine.listen(host, port, listenSetting);
            }
            machine.dataDirectory(data, dataSetting);
            for (NamedFile named : files) {
                if (named.createdWhenMissing()) {
                    machine.readableOrCreatable(named.path(), named.what(), named.setting(), named.fix());
                } else {
                    machine.readableFile(named.path(), named.what(), named.setting(), named.fix());
                }
            }
            if (database != null) {
                DatabaseCheck.check(database, layers.setting("database.url", "BERTH_DATABASE_URL", dataSetting), data,
                        machine);
            }
            if (storageDriver instanceof S3Config s3 && s3.problems().isEmpty()) {
                S3BlobStore.unreachable(s3).ifPresent(problem -> machine.add(problem, null));
            }
            problems.addAll(machine.problems());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems, preflight.map(Preflight::causes).orElse(List.of()));
        }
        return config;
    }

    /**
     * Whether a type id is one the registry starts with: built in, or else defined by a file in the types directory
     * (read only when an id is not built in).
     */
    private static Predicate<String> knownTypes(Path typesDirectory) {
        Set<String> builtIn = TypeCatalog.builtIn().types().stream().map(ArtifactType::id).collect(Collectors.toSet());
        return id -> {
            if (builtIn.contains(id)) {
                return true;
            }
            try {
                return new TypeCatalogWatcher(typesDirectory).get().type(id).isPresent();
            } catch (RuntimeException unreadable) {
                return false; // the types directory's own problems are reported where it is read
            }
        };
    }

    private static GcConfig gc(JsonNode file, Layers layers, List<String> problems) {
        knownKeys(file, "gc", GC_KEYS, problems);
        return new GcConfig(
                layers.duration("gc.interval", "BERTH_GC_INTERVAL", problems).orElse(GcConfig.DEFAULT.interval()),
                layers.duration("gc.gracePeriod", "BERTH_GC_GRACE_PERIOD", problems).orElse(GcConfig.DEFAULT.gracePeriod()));
    }

    /** The {@code storage} section; its own checks are reported by {@link BerthConfig}. */
    private static StorageConfig storage(JsonNode file, Layers layers, List<String> problems) {
        knownKeys(file, "storage", STORAGE_KEYS, problems);
        StorageConfig d = StorageConfig.DEFAULT;
        return new StorageConfig(
                layers.size("storage.minFreeSpace", "BERTH_STORAGE_MIN_FREE_SPACE", problems).orElse(d.minFreeSpace()),
                layers.bool("storage.readOnly", "BERTH_STORAGE_READ_ONLY", problems).orElse(d.readOnly()),
                layers.size("storage.verifyOnReadBelow", "BERTH_STORAGE_VERIFY_ON_READ_BELOW", problems)
                        .orElse(d.verifyOnReadBelow()),
                layers.size("storage.scrubRate", "BERTH_STORAGE_SCRUB_RATE", problems).orElse(d.scrubRate()),
                layers.duration("storage.checkInterval", "BERTH_STORAGE_CHECK_INTERVAL", problems)
                        .orElse(d.checkInterval()));
    }

    /** The {@code workers} section; its own checks are reported by {@link BerthConfig}. */
    /** {@code node.id}, or null for a generated one. */
    private static NodeId node(JsonNode file, Layers layers, List<String> problems) {
        knownKeys(file, "node", NODE_KEYS, problems);
        Optional<String> id = layers.text("node.id", "BERTH_NODE_ID");
        try {
            return id.map(NodeId::new).orElse(null);
        } catch (IllegalArgumentException e) {
            problems.add("node.id (BERTH_NODE_ID) must be 1 to 100 letters, digits and . _ : @ / - starting with a letter"
                    + " or digit, was '" + id.get() + "'; give e.g. registry-1, different on every node");
            return null;
        }
    }

    private static WorkerPools workers(JsonNode file, Layers layers, List<String> problems) {
        knownKeys(file, "workers", WORKERS_KEYS, problems);
        WorkerPools d = WorkerPools.DEFAULT;
        return new WorkerPools(
                layers.integer("workers.reads", "BERTH_WORKERS_READS", problems).orElse(d.reads()),
                layers.integer("workers.writes", "BERTH_WORKERS_WRITES", problems).orElse(d.writes()),
                layers.integer("workers.queuedWrites", "BERTH_WORKERS_QUEUED_WRITES", problems).orElse(d.queuedWrites()));
    }

    private static LogConfig log(JsonNode file, Layers layers, List<String> problems) {
        knownKeys(file, "log", LOG_KEYS, problems);
        LogConfig d = LogConfig.DEFAULT;
        LogConfig.Level level = layers.text("log.level", "BERTH_LOG_LEVEL").map(text -> LogConfig.Level.parse(text)
                .orElseGet(() -> {
                    problems.add("log.level (BERTH_LOG_LEVEL) must be trace, debug, info, warn, error or off, was '"
                            + text + "'");
                    return d.level();
                })).orElse(d.level());
        LogConfig.Format format = layers.text("log.format", "BERTH_LOG_FORMAT").map(text -> LogConfig.Format.parse(text)
                .orElseGet(() -> {
                    problems.add("log.format (BERTH_LOG_FORMAT) must be text or json, was '" + text + "'");
                    return d.format();
                })).orElse(d.format());
        boolean access = layers.bool("log.access", "BERTH_LOG_ACCESS", problems).orElse(d.access());
        return new LogConfig(level, format, access);
    }

    /** The {@code uploads} section; its own checks are reported by {@link BerthConfig}. */
    private static UploadsConfig uploads(JsonNode file, Layers layers, List<String> problems) {
        knownKeys(file, "uploads", UPLOADS_KEYS, problems);
        return new UploadsConfig(layers.duration("uploads.expireAfter", "BERTH_UPLOADS_EXPIRE_AFTER", problems)
                .orElse(UploadsConfig.DEFAULT.expireAfter()));
    }

    /** Every key of the file's section {@code name} is one of {@code known}; a section that is no mapping is a problem. */
    private static void knownKeys(JsonNode file, String name, Set<String> known, List<String> problems) {
        JsonNode section = file == null ? null : file.get(name);
        if (section == null || section.isNull()) {
            return;
        }
        if (!section.isObject()) {
            problems.add(name + " must be a mapping of " + known + ", was " + section.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT));
            return;
        }
        section.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(name + ": unknown key '" + key + "' (known: " + known + ")");
            }
        });
    }

    private static ClientLimits clientLimits(Layers layers, List<String> problems) {
        ClientLimits d = ClientLimits.DEFAULT;
        return new ClientLimits(
                layers.duration("limits.headerTimeout", "BERTH_LIMITS_HEADER_TIMEOUT", problems).orElse(d.headerTimeout()),
                layers.duration("limits.idleTimeout", "BERTH_LIMITS_IDLE_TIMEOUT", problems).orElse(d.idleTimeout()),
                layers.integer("limits.minBodyRate", "BERTH_LIMITS_MIN_BODY_RATE", problems).orElse(d.minBodyRate()),
                layers.duration("limits.minBodyRateWindow", "BERTH_LIMITS_MIN_BODY_RATE_WINDOW", problems).orElse(d.bodyRateWindow()),
                layers.integer("limits.maxConnections", "BERTH_LIMITS_MAX_CONNECTIONS", problems).orElse(d.maxConnections()),
                layers.integer("limits.maxConnectionsPerAddress", "BERTH_LIMITS_MAX_CONNECTIONS_PER_ADDRESS", problems)
                        .orElse(d.maxConnectionsPerAddress()));
    }

    /**
     * The path a setting names, or a problem: {@link Path#of} throws {@link java.nio.file.InvalidPathException} for
     * text the file system cannot name (a NUL character), which must end as a problem of the configuration too.
     */
    static Optional<Path> path(String key, String value, List<String> problems) {
        try {
            return Optional.of(Path.of(value));
        } catch (java.nio.file.InvalidPathException e) {
            problems.add(key + " is not a usable path: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static JsonNode readYaml(Path path, List<String> problems) {
        String name = "config file " + path + " (--config)";
        if (Files.isDirectory(path)) {
            problems.add(name + " is a directory, not a file; give --config the YAML file");
            return null;
        }
        try (var reader = Files.newBufferedReader(path)) {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(reader);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return null;
            }
            if (!node.isObject()) {
                problems.add(name + " is not a YAML mapping of settings; start it with a key such as listen:");
                return null;
            }
            return node;
        } catch (JsonProcessingException e) {
            problems.add(name + " is not valid YAML" + yamlProblem(e) + "; fix the file");
            return null;
        } catch (IOException e) {
            problems.add(Preflight.fileProblem("config file", path, "--config", e, "check the path given to --config"));
            return null;
        }
    }

    /**
     * Where and what: SnakeYAML's problem and its place (Jackson's own location is where the construct began, and
     * its message the context, "while parsing a flow sequence").
     */
    private static String yamlProblem(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark at = marked.getProblemMark();
                return " at line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + " ("
                        + firstLine(marked.getProblem()) + ")";
            }
        }
        JsonLocation at = e.getLocation();
        return (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                + " (" + firstLine(e.getOriginalMessage()) + ")";
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "malformed";
        }
        int newline = text.indexOf('\n');
        return (newline >= 0 ? text.substring(0, newline) : text).strip();
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 24h}, {@code 7d} or a bare number of seconds; else empty. */
    static Optional<Duration> parseDuration(String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofSeconds(amount);
        });
    }

    /** A setting looked up in the environment first, then in the file. */
    record Layers(JsonNode file, Map<String, String> environment) {
        /** Where a setting's value comes from: the variable when it is set, else the key when the file has it. */
        String setting(String dottedKey, String variable, String otherwise) {
            String fromEnvironment = environment.get(variable);
            if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
                return variable;
            }
            JsonNode node = file;
            for (String part : dottedKey.split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            return node == null || node.isNull() ? otherwise : dottedKey;
        }

        Optional<String> text(String dottedKey, String variable) {
            String fromEnvironment = environment.get(variable);
            if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
                return Optional.of(fromEnvironment);
            }
            JsonNode node = file;
            for (Iterator<String> it = List.of(dottedKey.split("\\.")).iterator(); it.hasNext() && node != null; ) {
                node = node.get(it.next());
            }
            return node == null || node.isNull() || node.isContainerNode() ? Optional.empty() : Optional.of(node.asText());
        }

        Optional<Integer> integer(String dottedKey, String variable, List<String> problems) {
            return text(dottedKey, variable).flatMap(value -> {
                try {
                    return Optional.of(Integer.parseInt(value.trim()));
                } catch (NumberFormatException e) {
                    problems.add(dottedKey + " (" + variable + ") must be a whole number, was '" + value + "'");
                    return Optional.empty();
                }
            });
        }

        /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 24h}, {@code 7d} or a bare number of seconds. */
        Optional<Duration> duration(String dottedKey, String variable, List<String> problems) {
            return text(dottedKey, variable).flatMap(value -> {
                Optional<Duration> parsed = parseDuration(value);
                if (parsed.isEmpty()) {
                    problems.add(dottedKey + " (" + variable + ") must be a duration such as 10s, 500ms, 15m, 24h or 7d, was '" + value + "'");
                }
                return parsed;
            });
        }

        /** A {@link ByteSize}: {@code 1GiB}, {@code 512MiB}, {@code 500MB} (powers of 1000), or a bare number of bytes. */
        Optional<Long> size(String dottedKey, String variable, List<String> problems) {
            return text(dottedKey, variable).flatMap(value -> {
                Optional<ByteSize> size = ByteSize.parse(value);
                if (size.isEmpty()) {
                    problems.add(dottedKey + " (" + variable + ") must be a size such as 1GiB, 512MiB, 64KiB or a"
                            + " number of bytes, was '" + value + "'");
                }
                return size.map(ByteSize::bytes);
            });
        }

        Optional<Boolean> bool(String dottedKey, String variable, List<String> problems) {
            return text(dottedKey, variable).flatMap(value -> switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "on", "1" -> Optional.of(true);
                case "false", "no", "off", "0" -> Optional.of(false);
                default -> {
                    problems.add(dottedKey + " (" + variable + ") must be true or false, was '" + value + "'");
                    yield Optional.empty();
                }
            });
        }
    }
}
