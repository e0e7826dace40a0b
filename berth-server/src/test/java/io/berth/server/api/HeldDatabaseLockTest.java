package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.RegistryHttp.ImageManifest;
import io.berth.server.config.BerthConfig;
import io.berth.server.http.Lane;
import io.berth.server.http.WorkerPools;
import io.vertx.core.http.HttpMethod;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #21, "a stalled database write stalls reads": another connection holds the metadata database's write lock —
 * SQLite's, taken with {@code BEGIN IMMEDIATE} on the same file; on PostgreSQL every table a push writes, locked
 * {@code IN EXCLUSIVE MODE} in a held transaction — for four wait timeouts while 40 clients push. While it is held,
 * manifest and blob GETs, {@code /readyz} and {@code /metrics} keep answering (each within 2 s, a liveness bound,
 * not a performance figure), and every push answer is 503 {@code TOOMANYREQUESTS} with {@code Retry-After} and a
 * message naming the wait — no hang, no 500. Once the lock is released the same clients' retries succeed without a
 * restart, everything acknowledged is there with its bytes, and Vert.x never reported a blocked thread.
 */
class HeldDatabaseLockTest {
    private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration HOLD = WAIT_TIMEOUT.multipliedBy(4);
    private static final Duration LIVENESS = Duration.ofSeconds(2);
    private static final int PUSHERS = 40;
    /** Longer than any answer may take: a request still open after it is a hang. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final List<String> TABLES = List.of("repositories", "blobs", "repository_blobs", "manifests",
            "manifest_blobs", "manifest_children", "tags", "uploads");

    @TempDir
    Path dataDir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** One answer a client got: when, to what, and what it said. */
    record Answer(long atNanos, long tookNanos, String request, int status, String code, String detail,
                  boolean retryAfter, byte[] body) {
        @Override
        public String toString() {
            return request + " -> " + status + " " + code + " " + detail + (retryAfter ? " (Retry-After)" : "");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void readsAndProbesKeepAnsweringWhilePushesGet503AndHealOnceTheLockIsFree(String database) throws Exception {
        TestDatabases.PostgresSchema schema = database.equals("postgresql") ? TestDatabases.postgresSchema() : null;
        DatabaseConfig databaseConfig = (schema == null ? TestDatabases.sqlite(dataDir) : schema.config())
                .withWaitTimeout(WAIT_TIMEOUT);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
        ExecutorService clients = Executors.newFixedThreadPool(PUSHERS + 1);
        try (schema; BerthFixture registry = BerthFixture.start(dataDir, c -> c.withDatabase(databaseConfig))) {
            URI base = registry.baseUri();
            RegistryHttp http = new RegistryHttp(base);
            ImageManifest seedImage = http.imageWithBlobs("held/seed");
            Descriptor seed = http.pushManifest("held/seed", "v1", RegistryHttp.OCI_MANIFEST, seedImage.json());
            String seedLayer = seedImage.tree().get("layers").get(0).get("digest").asText();

            Answers answers = new Answers();
            List<Answer> reads = new ArrayList<>();
            AtomicBoolean stopReading = new AtomicBoolean();
            Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
            long heldAt;
            long releasedAt;
            List<Future<?>> pushes = new ArrayList<>();
            Future<?> reader;
            try (HeldLock lock = HeldLock.take(databaseConfig)) {
                heldAt = System.nanoTime();
                for (int i = 0; i < PUSHERS; i++) {
                    int n = i;
                    pushes.add(clients.submit(() -> pushRetrying(base, "held/r" + (n % 4), "t" + n, answers, acknowledged)));
                }
                reader = clients.submit(() -> {
                    while (!stopReading.get()) {
                        synchronized (reads) {
                            reads.add(send(base, "GET", "/v2/held/seed/manifests/v1", null, "Accept", RegistryHttp.OCI_MANIFEST));
                            reads.add(send(base, "GET", "/v2/held/seed/blobs/" + seedLayer, null));
                            reads.add(send(base, "GET", "/readyz", null));
                            reads.add(send(base, "GET", "/metrics", null));
                        }
                    }
                    return null;
                });
                Thread.sleep(HOLD.toMillis());
                releasedAt = System.nanoTime();
            }
            for (Future<?> push : pushes) {
                push.get(60, TimeUnit.SECONDS);
            }
            stopReading.set(true);
            reader.get(30, TimeUnit.SECONDS);

            List<Answer> readsWhileHeld;
            synchronized (reads) {
                readsWhileHeld = reads.stream().filter(a -> a.atNanos() < releasedAt).toList();
                assertThat(reads).allSatisfy(read -> assertThat(read.status()).as(read.toString()).isEqualTo(200));
            }
            assertThat(readsWhileHeld).as("reads, /readyz and /metrics answered while the lock was held")
                    .hasSizeGreaterThanOrEqualTo(4 * 3)
                    .extracting(Answer::request).contains("GET /readyz", "GET /metrics");
            long slowest = 0;
            String slowestRead = "";
            long previous = heldAt;
            for (Answer read : readsWhileHeld) {
                if (read.atNanos() - previous > slowest) {
                    slowest = read.atNanos() - previous;
                    slowestRead = read.request() + ", read " + (readsWhileHeld.indexOf(read) + 1);
                }
                previous = read.atNanos();
            }
            assertThat(Duration.ofNanos(slowest)).as("the slowest read while the lock was held").isLessThan(LIVENESS);

            List<Answer> all = answers.list();
            List<Answer> whileHeld = all.stream().filter(a -> a.atNanos() < releasedAt).toList();
            assertThat(whileHeld).as("every pusher got its answer while the lock was held")
                    .hasSizeGreaterThanOrEqualTo(PUSHERS)
                    .allSatisfy(answer -> {
                        assertThat(answer.status()).as(answer.toString()).isEqualTo(503);
                        assertThat(answer.code()).isEqualTo("TOOMANYREQUESTS");
                        assertThat(answer.retryAfter()).as("Retry-After").isTrue();
                        assertThat(answer.detail()).containsAnyOf("database.waitTimeout", "workers.");
                    });
            assertThat(all).allSatisfy(answer -> {
                assertThat(answer.status()).as(answer.toString()).isIn(201, 503);
                // each wait is bounded by the wait timeout: for a write thread, a pooled connection, the lock
                assertThat(Duration.ofNanos(answer.tookNanos())).as("no push hangs: %s", answer)
                        .isLessThan(WAIT_TIMEOUT.multipliedBy(4));
            });
            long firstAfter = all.stream().filter(a -> a.status() == 201 && a.atNanos() >= releasedAt)
                    .mapToLong(Answer::atNanos).min().orElseThrow();
            long lastAfter = all.stream().filter(a -> a.status() == 201).mapToLong(Answer::atNanos).max().orElseThrow();
            System.out.printf("held lock (%s): %d reads answered while held, the slowest %d ms after the one before (%s);"
                            + " %d push answers while held, all 503; first push acknowledged %d ms after the release, all"
                            + " %d pushers done %d ms after it%n", database, readsWhileHeld.size(), slowest / 1_000_000, slowestRead,
                    whileHeld.size(), (firstAfter - releasedAt) / 1_000_000, PUSHERS, (lastAfter - releasedAt) / 1_000_000);
            assertThat(Duration.ofNanos(firstAfter - releasedAt)).as("recovery after the release")
                    .isLessThan(Duration.ofSeconds(10));

            assertThat(acknowledged).hasSize(PUSHERS * 3);
            for (Map.Entry<String, byte[]> entry : acknowledged.entrySet()) {
                HttpResponse<byte[]> pulled = http.get(entry.getKey(), "Accept", RegistryHttp.OCI_MANIFEST);
                assertThat(pulled.statusCode()).as(entry.getKey()).isEqualTo(200);
                assertThat(pulled.body()).as(entry.getKey()).isEqualTo(entry.getValue());
            }
            assertThat(http.getManifest("held/seed", seed.digest()).statusCode()).isEqualTo(200);
        } finally {
            clients.shutdownNow();
            System.setErr(originalErr);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).as("Vert.x's blocked-thread warnings")
                .doesNotContain("has been blocked for");
    }

    /**
     * The write pool's queue is bounded: with two write threads, none queued, and the database locked, pushes beyond
     * the two running are refused at once — 503 {@code TOOMANYREQUESTS} naming the setting — not queued for later.
     */
    @Test
    void writesBeyondTheWritePoolAndItsQueueAreRefusedAtOnce() throws Exception {
        DatabaseConfig databaseConfig = TestDatabases.sqlite(dataDir).withWaitTimeout(Duration.ofSeconds(3));
        UnaryOperator<BerthConfig> config = c -> c.withDatabase(databaseConfig).withWorkers(new WorkerPools(4, 2, 0));
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try (BerthFixture registry = BerthFixture.start(dataDir, config);
             HeldLock lock = HeldLock.take(databaseConfig)) {
            Answers answers = new Answers();
            List<Future<Answer>> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] blob = ("blob " + i).getBytes(StandardCharsets.UTF_8);
                sent.add(clients.submit(() -> answers.add(send(registry.baseUri(), "POST", "/v2/bounded/app/blobs/uploads/?digest="
                        + RegistryHttp.sha256(blob), blob, "Content-Type", RegistryHttp.OCTET_STREAM))));
            }
            long refusedAtOnce = 0;
            for (Future<Answer> answer : sent) {
                Answer a = answer.get(30, TimeUnit.SECONDS);
                assertThat(a.status()).as(a.toString()).isEqualTo(503);
                assertThat(a.code()).isEqualTo("TOOMANYREQUESTS");
                assertThat(a.retryAfter()).isTrue();
                if (a.detail().contains("workers.queuedWrites")) {
                    refusedAtOnce++;
                }
            }
            assertThat(refusedAtOnce).as("refused because the pool and its queue were full").isGreaterThanOrEqualTo(5);
            String metrics = new String(send(registry.baseUri(), "GET", "/metrics", null).body(), StandardCharsets.UTF_8);
            assertThat(metrics).containsPattern("berth_writes_refused_total\\S* [1-9]");
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * The route table puts each route's blocking work where a wait for the database cannot starve the others: every
     * method that writes on the write lane (and the upload status GET, which touches its session), the probes on
     * their own, every other GET and HEAD on the read lane.
     */
    @Test
    void everyRouteRunsOnTheLaneOfWhatItDoes() {
        try (BerthFixture registry = BerthFixture.start(dataDir)) {
            assertThat(registry.routes()).allSatisfy(route -> {
                boolean read = route.method() == HttpMethod.GET || route.method() == HttpMethod.HEAD;
                String template = route.path().template();
                Lane expected = List.of("/healthz", "/readyz", "/metrics").contains(template) ? Lane.PROBE
                        : !read || (template.contains("/blobs/uploads/") && route.method() == HttpMethod.GET) ? Lane.WRITE
                        : Lane.READ;
                assertThat(route.lane()).as(route.id()).isEqualTo(expected);
            });
        }
    }

    /** Pushes a config, a layer and a manifest, each step again after {@code Retry-After} while it answers 503. */
    private Void pushRetrying(URI base, String repository, String tag, Answers answers, Map<String, byte[]> acknowledged)
            throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = RegistryHttp.randomBytes(512);
        Descriptor configBlob = new Descriptor(RegistryHttp.OCI_CONFIG, RegistryHttp.sha256(config), config.length);
        Descriptor layerBlob = new Descriptor(RegistryHttp.OCI_LAYER, RegistryHttp.sha256(layer), layer.length);
        for (byte[] blob : List.of(config, layer)) {
            String digest = RegistryHttp.sha256(blob);
            retrying(answers, () -> send(base, "POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, blob,
                    "Content-Type", RegistryHttp.OCTET_STREAM));
            acknowledged.put("/v2/" + repository + "/blobs/" + digest, blob);
        }
        byte[] manifest = ImageManifest.of(configBlob).layer(layerBlob).json();
        retrying(answers, () -> send(base, "PUT", "/v2/" + repository + "/manifests/" + tag, manifest,
                "Content-Type", RegistryHttp.OCI_MANIFEST));
        acknowledged.put("/v2/" + repository + "/manifests/" + tag, manifest);
        return null;
    }

    private interface Request {
        Answer send() throws Exception;
    }

    private static void retrying(Answers answers, Request request) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (true) {
            Answer answer = answers.add(request.send());
            if (answer.status() != 503 || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(1000); // what Retry-After asks for
        }
    }

    private Answer send(URI base, String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            String code = "";
            String detail = "";
            if (response.statusCode() >= 400) {
                JsonNode error = RegistryHttp.JSON.readTree(response.body()).path("errors").path(0);
                code = error.path("code").asText();
                detail = error.path("detail").asText();
            }
            long now = System.nanoTime();
            return new Answer(now, now - sent, method + " " + path, response.statusCode(), code, detail,
                    response.headers().firstValue("Retry-After").isPresent(), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " got no answer within " + REQUEST_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The answers of all clients, in the order they came. */
    private static final class Answers {
        private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();

        Answer add(Answer answer) {
            answers.add(answer);
            return answer;
        }

        List<Answer> list() {
            return List.copyOf(answers);
        }
    }

    /** Another connection that holds the database's write lock until closed, then rolls its transaction back. */
    private static final class HeldLock implements AutoCloseable {
        private final Connection connection;

        private HeldLock(Connection connection) {
            this.connection = connection;
        }

        static HeldLock take(DatabaseConfig config) throws SQLException {
            Connection connection = config.isSqlite() ? DriverManager.getConnection(config.url())
                    : DriverManager.getConnection(config.url(), config.username(), config.password());
            try (Statement statement = connection.createStatement()) {
                if (config.isSqlite()) {
                    statement.execute("BEGIN IMMEDIATE");
                } else {
                    connection.setAutoCommit(false);
                    statement.execute("LOCK TABLE " + String.join(", ", TABLES) + " IN EXCLUSIVE MODE");
                }
            }
            return new HeldLock(connection);
        }

        @Override
        public void close() throws SQLException {
            try (connection; Statement statement = connection.createStatement()) {
                if (connection.getAutoCommit()) {
                    statement.execute("ROLLBACK");
                } else {
                    connection.rollback();
                }
            }
        }
    }

    /** Writes to the console and keeps a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            console.write(b);
            copy.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            console.write(bytes, offset, length);
            copy.write(bytes, offset, length);
        }
    }
}
