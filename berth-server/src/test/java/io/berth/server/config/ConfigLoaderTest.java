package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.http.ClientLimits;
import io.berth.server.startup.ConfigException;
import io.berth.server.meta.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final ConfigLoader.Flags NO_FLAGS = new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.empty());

    @Test
    void defaultsAreTheEmbeddedRegistryOnLoopback() {
        BerthConfig config = ConfigLoader.load(NO_FLAGS, Map.of());

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(5000);
        assertThat(config.dataDir()).isEqualTo(Path.of("./berth-data"));
        assertThat(config.database().url()).isEqualTo("jdbc:sqlite:" + Path.of("./berth-data").resolve("berth.db"));
        assertThat(config.limits().maxManifestBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.deleteEnabled()).isTrue();
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                listen: 0.0.0.0:7000
                data: /from-file
                database:
                  url: jdbc:postgresql://db:5432/berth
                  username: berth
                delete:
                  enabled: false
                """);
        Map<String, String> env = Map.of("BERTH_LISTEN", "127.0.0.1:6000", "BERTH_DATABASE_PASSWORD", "secret");

        BerthConfig fromFileAndEnv = ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)), env);
        BerthConfig withFlags = ConfigLoader.load(new ConfigLoader.Flags(Optional.of("[::1]:5001"), Optional.of(dir), Optional.of(file)), env);

        assertThat(fromFileAndEnv.port()).isEqualTo(6000);
        assertThat(fromFileAndEnv.dataDir()).isEqualTo(Path.of("/from-file"));
        assertThat(fromFileAndEnv.database().url()).isEqualTo("jdbc:postgresql://db:5432/berth");
        assertThat(fromFileAndEnv.database().username()).isEqualTo("berth");
        assertThat(fromFileAndEnv.database().password()).isEqualTo("secret");
        assertThat(fromFileAndEnv.database().toString()).doesNotContain("secret");
        assertThat(fromFileAndEnv.deleteEnabled()).isFalse();
        assertThat(withFlags.host()).isEqualTo("::1");
        assertThat(withFlags.port()).isEqualTo(5001);
        assertThat(withFlags.dataDir()).isEqualTo(dir);
    }

    @Test
    void everyProblemIsReportedAtOnceWithWhereItCameFrom() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listen: nowhere
                colour: blue
                database:
                  url: jdbc:mysql://db/berth
                delete:
                  enabled: maybe
                """);

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(4)
                        .anySatisfy(p -> assertThat(p).contains("listen must be HOST:PORT"))
                        .anySatisfy(p -> assertThat(p).contains("unknown key 'colour'"))
                        .anySatisfy(p -> assertThat(p).contains("jdbc:sqlite: or jdbc:postgresql:"))
                        .anySatisfy(p -> assertThat(p).contains("delete.enabled")));
    }

    /**
     * With the machine checked, each problem names the setting its value came from (here the environment), and the
     * value problems come in the same run as those of the machine.
     */
    @Test
    void machineProblemsNameTheVariableTheirValueCameFromAndComeWithTheValueProblems() throws Exception {
        Path htpasswd = dir.resolve("htpasswd");
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> env = Map.of("BERTH_LISTEN", "127.0.0.1:" + taken.getLocalPort(),
                    "BERTH_DATA", dir.resolve("data").toString(), "BERTH_AUTH_HTPASSWD", htpasswd.toString(),
                    "BERTH_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/berth",
                    "BERTH_DELETE_ENABLED", "maybe");

            assertThatThrownBy(() -> ConfigLoader.load(NO_FLAGS, env, Optional.of(io.berth.server.startup.Preflight.live())))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                            "delete.enabled (BERTH_DELETE_ENABLED) must be true or false, was 'maybe'",
                            "address 127.0.0.1:" + taken.getLocalPort() + " (BERTH_LISTEN) is in use; stop the program"
                                    + " listening there or choose another with BERTH_LISTEN",
                            "htpasswd file " + htpasswd + " (BERTH_AUTH_HTPASSWD) not found; create it with: htpasswd"
                                    + " -cB " + htpasswd + " USER",
                            "database jdbc:postgresql://127.0.0.1:" + closed + "/berth (BERTH_DATABASE_URL): cannot"
                                    + " connect to 127.0.0.1:" + closed + " (Connection refused); start PostgreSQL there"
                                    + " or fix BERTH_DATABASE_URL"));
        }
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void uploadExpiryComesFromTheFileOrTheEnvironmentInHoursMinutesOrSeconds() throws Exception {
        Path file = dir.resolve("uploads.yaml");
        Files.writeString(file, """
                uploads:
                  expireAfter: 15m
                """);
        ConfigLoader.Flags withFile = new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file));

        assertThat(ConfigLoader.load(NO_FLAGS, Map.of()).uploads().expireAfter()).isEqualTo(Duration.ofHours(24));
        assertThat(ConfigLoader.load(withFile, Map.of()).uploads().expireAfter()).isEqualTo(Duration.ofMinutes(15));
        assertThat(ConfigLoader.load(withFile, Map.of("BERTH_UPLOADS_EXPIRE_AFTER", "48h")).uploads().expireAfter())
                .isEqualTo(Duration.ofHours(48));
        assertThat(ConfigLoader.load(NO_FLAGS, Map.of("BERTH_UPLOADS_EXPIRE_AFTER", "90")).uploads().expireAfter())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void theNodeIdComesFromTheFileOrTheEnvironmentElseFromTheListenAddress() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                node:
                  id: registry-1
                """);
        ConfigLoader.Flags withFile = new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file));
        assertThat(ConfigLoader.load(withFile, Map.of()).node()).isEqualTo(new NodeId("registry-1"));
        assertThat(ConfigLoader.load(withFile, Map.of("BERTH_NODE_ID", "registry-2")).node().value()).isEqualTo("registry-2");
        // The same at every start on the same address (a restarted node takes its own leases back), and with it.
        NodeId derived = ConfigLoader.load(NO_FLAGS, Map.of()).node();
        assertThat(derived.value()).endsWith("/127.0.0.1:5000");
        assertThat(ConfigLoader.load(NO_FLAGS, Map.of()).node()).isEqualTo(derived);
        assertThat(ConfigLoader.load(NO_FLAGS, Map.of()).withListen("127.0.0.1", 5001).node().value()).endsWith("/127.0.0.1:5001");
        // On a port chosen at start, made up per start.
        NodeId generated = ConfigLoader.load(NO_FLAGS, Map.of("BERTH_LISTEN", "127.0.0.1:0")).node();
        assertThat(generated.value()).matches(".+-[0-9a-f]{6}");
        assertThat(ConfigLoader.load(NO_FLAGS, Map.of("BERTH_LISTEN", "127.0.0.1:0")).node()).isNotEqualTo(generated);

        assertThatThrownBy(() -> ConfigLoader.load(NO_FLAGS, Map.of("BERTH_NODE_ID", "a b")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("node.id (BERTH_NODE_ID)", "'a b'", "registry-1")));
        Files.writeString(file, "node:\n  name: registry-1\n");
        assertThatThrownBy(() -> ConfigLoader.load(withFile, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("node: unknown key 'name'")));
    }

    @Test
    void malformedUploadExpiryAndUnknownUploadKeysAreReported() throws Exception {
        Path file = dir.resolve("uploads.yaml");
        Files.writeString(file, """
                uploads:
                  expireAfter: 500ms
                  maxAge: 24h
                """);

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2)
                        .anySatisfy(p -> assertThat(p).contains("uploads: unknown key 'maxAge'", "expireAfter"))
                        .anySatisfy(p -> assertThat(p).contains("uploads.expireAfter must be at least 1s", "500ms")));
        assertThatThrownBy(() -> ConfigLoader.load(NO_FLAGS, Map.of("BERTH_UPLOADS_EXPIRE_AFTER", "a day")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("uploads.expireAfter (BERTH_UPLOADS_EXPIRE_AFTER)",
                                "15m, 24h or 7d", "'a day'")));
        Files.writeString(file, "uploads: 24h\n");
        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("uploads must be a mapping of [expireAfter]")));
    }

    @Test
    void workerPoolsAndTheDatabaseWaitTimeoutComeFromTheFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("workers.yaml");
        Files.writeString(file, """
                database:
                  waitTimeout: 3s
                workers:
                  reads: 8
                  writes: 4
                  queuedWrites: 0
                """);
        ConfigLoader.Flags withFile = new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file));

        BerthConfig defaults = ConfigLoader.load(NO_FLAGS, Map.of());
        assertThat(defaults.workers()).isEqualTo(io.berth.server.http.WorkerPools.DEFAULT);
        assertThat(defaults.database().waitTimeout()).isEqualTo(Duration.ofSeconds(10));
        BerthConfig configured = ConfigLoader.load(withFile, Map.of("BERTH_WORKERS_WRITES", "6"));
        assertThat(configured.workers()).isEqualTo(new io.berth.server.http.WorkerPools(8, 6, 0));
        assertThat(configured.database().waitTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void unusableWorkerPoolsAndWaitTimeoutsAreReportedByTheirKeys() throws Exception {
        Path file = dir.resolve("workers.yaml");
        Files.writeString(file, """
                workers:
                  writes: 0
                  threads: 4
                """);
        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)),
                Map.of("BERTH_WORKERS_QUEUED_WRITES", "-1")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("workers: unknown key 'threads'"))
                        .anySatisfy(p -> assertThat(p).contains("workers.writes must be at least 1"))
                        .anySatisfy(p -> assertThat(p).contains("workers.queuedWrites must be 0 or more")));
        assertThatThrownBy(() -> ConfigLoader.load(NO_FLAGS, Map.of("BERTH_DATABASE_WAIT_TIMEOUT", "100ms")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("database.waitTimeout must be at least 250ms")));
    }

    @Test
    void malformedYamlNamesTheFile() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "listen: [unclosed\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("broken.yaml");
    }

    @Test
    void clientLimitsComeFromTheFileAndTheEnvironment() throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                limits:
                  headerTimeout: 5s
                  idleTimeout: 2m
                  minBodyRate: 2048
                  minBodyRateWindow: 1500ms
                  maxConnections: 300
                """);
        BerthConfig config = ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)),
                Map.of("BERTH_LIMITS_MAX_CONNECTIONS_PER_ADDRESS", "20", "BERTH_LIMITS_HEADER_TIMEOUT", "7"));

        ClientLimits clients = config.limits().clients();
        assertThat(clients.headerTimeout()).isEqualTo(java.time.Duration.ofSeconds(7));
        assertThat(clients.idleTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(clients.minBodyRate()).isEqualTo(2048);
        assertThat(clients.bodyRateWindow()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(clients.maxConnections()).isEqualTo(300);
        assertThat(clients.maxConnectionsPerAddress()).isEqualTo(20);
        assertThat(ConfigLoader.load(NO_FLAGS, Map.of()).limits().clients()).isEqualTo(ClientLimits.DEFAULT);
    }

    @Test
    void malformedClientLimitsAreReported() {
        assertThatThrownBy(() -> ConfigLoader.load(NO_FLAGS, Map.of("BERTH_LIMITS_IDLE_TIMEOUT", "soon",
                "BERTH_LIMITS_MAX_CONNECTIONS", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits.idleTimeout")
                .hasMessageContaining("limits.maxConnections");
    }

    /** Path.of threw InvalidPathException out of the loader for a NUL until the fuzz test (issue #16). */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "data | 'data: \"a\\0b\"'",
            "types.directory | 'types: {directory: \"a\\0b\"}'",
            "auth.htpasswd | 'auth: {htpasswd: \"a\\0b\"}'",
            "auth.token.key | 'auth: {token: {key: \"a\\0b\"}}'",
            "auth.trustedIssuers[0].jwks | 'auth: {trustedIssuers: [{issuer: https://sso.example.com, jwks: \"a\\0b\"}]}'",
            "tls.certificate | 'tls: {certificate: \"a\\0b\", key: k.pem}'",
            "tls.key | 'tls: {certificate: c.pem, key: \"a\\0b\"}'"})
    void aPathTheFileSystemCannotNameIsAProblemOfTheConfiguration(String key, String yaml) throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, yaml);

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(problem -> assertThat(problem).startsWith(key + " is not a usable path")));
    }

    @Test
    void aPathFromTheEnvironmentTheFileSystemCannotNameIsAProblemToo() {
        assertThatThrownBy(() -> ConfigLoader.load(NO_FLAGS, Map.of("BERTH_DATA", "a\0b", "BERTH_TLS_KEY", "\0")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(problem -> assertThat(problem).startsWith("data is not a usable path"))
                        .anySatisfy(problem -> assertThat(problem).startsWith("tls.key is not a usable path")));
    }
}
