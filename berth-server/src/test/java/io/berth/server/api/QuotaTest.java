package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.OCTET_STREAM;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.randomBytes;
import static io.berth.server.api.RegistryHttp.sha256;
import static io.berth.server.api.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.config.BerthConfig;
import io.berth.server.gc.GcConfig;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code quotas} through the registry's HTTP API, on SQLite and PostgreSQL: limits on bytes and manifests per
 * repository and per namespace, refused before the bytes where the size is known, shared blobs counted once per
 * scope, mounts, usage going down with deletes and garbage collection, and concurrent pushes that never overrun.
 */
class QuotaTest {
    static final String QUOTAS = """
            quotas:
              - repositories: "small/**"
                bytes: 1000
              - repositories: "counted/**"
                manifests: 2
              - namespaces: shared
                bytes: 3kB
            """;
    private static final GcConfig NO_GRACE = new GcConfig(Duration.ZERO, Duration.ZERO);

    @TempDir
    Path dataDir;

    /** Starts the registry on {@code database} with {@code yaml}'s quotas and no grace period, and runs {@code test}. */
    private void onDatabase(String database, String yaml, Consumer<RegistryHttp> test) {
        if (database.equals("sqlite")) {
            run(TestDatabases.sqlite(dataDir), yaml, test);
            return;
        }
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
            run(schema.config(), yaml, test);
        }
    }

    private void run(DatabaseConfig database, String yaml, Consumer<RegistryHttp> test) {
        UnaryOperator<BerthConfig> quotas = ImmutabilityTest.policies(dataDir, yaml);
        try (BerthFixture registry = BerthFixture.start(dataDir,
                config -> quotas.apply(config.withDatabase(database).withGc(NO_GRACE)))) {
            test.accept(new RegistryHttp(registry.baseUri()));
        }
    }

    private static String message(HttpResponse<byte[]> response) {
        return json(response).path("errors").get(0).path("message").asText();
    }

    /** {@code POST ?digest=} with the whole blob: the single-request push. */
    private static HttpResponse<byte[]> pushInOneRequest(RegistryHttp http, String repository, byte[] content) {
        return http.send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + sha256(content), content,
                "Content-Type", OCTET_STREAM);
    }

    static JsonNode usage(RegistryHttp http) {
        HttpResponse<byte[]> answer = http.get("/api/v1/admin/storage");
        assertThat(answer.statusCode()).isEqualTo(200);
        return json(answer);
    }

    static JsonNode entry(JsonNode usage, String list, String key, String name) {
        for (JsonNode node : usage.get(list)) {
            if (node.get(key).asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError(list + " has no " + name + ": " + usage);
    }

    private long uploadFiles() {
        try (Stream<Path> files = Files.list(dataDir.resolve("uploads"))) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRepositoryQuotaOnBytesRefusesEveryKindOfUploadThatWouldExceedIt(String database) {
        onDatabase(database, QUOTAS, http -> {
            byte[] first = randomBytes(600);
            http.pushBlob("small/a", first);

            byte[] second = randomBytes(600);
            HttpResponse<byte[]> oneRequest = pushInOneRequest(http, "small/a", second);
            assertError(oneRequest, 403, "DENIED");
            assertThat(message(oneRequest)).isEqualTo("quota exceeded for repository small/a: 600 B of 1000 B stored"
                    + " (quotas[0]); blob " + sha256(second) + " adds 600 B");
            // a body too large to be read whole: refused before a byte is written
            byte[] large = randomBytes(100_000);
            HttpResponse<byte[]> streamed = pushInOneRequest(http, "small/a", large);
            assertError(streamed, 403, "DENIED");
            assertThat(message(streamed)).endsWith("adds 97.6 KiB");
            // the last chunk of a chunked upload, with its length known: refused before it is stored
            URI upload = http.startUpload("small/a");
            HttpResponse<byte[]> lastChunk = http.send("PUT", withQuery(upload, "digest", sha256(second)), second,
                    "Content-Type", OCTET_STREAM);
            assertError(lastChunk, 403, "DENIED");
            // chunks of unknown total: taken, and the upload refused when it completes
            URI chunked = http.startUpload("small/a");
            HttpResponse<byte[]> patch = http.send("PATCH", chunked.toString(), second, "Content-Type", OCTET_STREAM);
            assertThat(patch.statusCode()).isEqualTo(202);
            HttpResponse<byte[]> complete = http.send("PUT", withQuery(http.location(patch), "digest", sha256(second)),
                    new byte[0]);
            assertError(complete, 403, "DENIED");
            assertThat(message(complete)).contains("quota exceeded for repository small/a");
            for (byte[] refused : List.of(second, large)) {
                assertThat(http.head("/v2/small/a/blobs/" + sha256(refused)).statusCode()).isEqualTo(404);
            }
            assertThat(http.send("DELETE", upload.toString(), new byte[0]).statusCode()).isEqualTo(204);
            assertThat(uploadFiles()).as("upload files left").isZero();

            // a blob the repository holds already adds nothing; one that fits exactly is taken
            assertThat(pushInOneRequest(http, "small/a", first).statusCode()).isEqualTo(201);
            Descriptor fits = http.pushBlob("small/a", randomBytes(400));
            JsonNode repository = entry(usage(http), "repositories", "repository", "small/a");
            assertThat(repository.get("bytes").asLong()).isEqualTo(1000);
            assertThat(repository.get("quota").get("maxBytes").asLong()).isEqualTo(1000);
            assertThat(repository.get("quota").get("rule").asText()).isEqualTo("quotas[0]");
            assertThat(repository.get("quota").get("maxManifests").isNull()).isTrue();

            // deleting a blob gives its bytes back at once
            assertThat(http.delete("/v2/small/a/blobs/" + fits.digest()).statusCode()).isEqualTo(202);
            assertThat(entry(usage(http), "repositories", "repository", "small/a").get("bytes").asLong()).isEqualTo(600);
            assertThat(pushInOneRequest(http, "small/a", randomBytes(400)).statusCode()).isEqualTo(201);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRepositoryQuotaOnManifestsRefusesTheOneTooManyButNotANewTagOfAStoredOne(String database) {
        onDatabase(database, QUOTAS, http -> {
            Descriptor one = http.pushImage("counted/a", "one");
            http.pushImage("counted/a", "two");
            byte[] third = http.imageWithBlobs("counted/a").json();
            HttpResponse<byte[]> refused = http.putManifest("counted/a", "three", OCI_MANIFEST, third);
            assertError(refused, 403, "DENIED");
            assertThat(message(refused)).isEqualTo("quota exceeded for repository counted/a: 2 of 2 manifests stored"
                    + " (quotas[1]); this manifest would be one more");
            assertThat(http.getManifest("counted/a", "three").statusCode()).isEqualTo(404);
            // another tag of a stored manifest stores nothing new
            HttpResponse<byte[]> retag = http.putManifest("counted/a", "again",
                    OCI_MANIFEST, http.getManifest("counted/a", "one").body());
            assertThat(retag.statusCode()).isEqualTo(201);
            JsonNode repository = entry(usage(http), "repositories", "repository", "counted/a");
            assertThat(repository.get("manifests").asLong()).isEqualTo(2);
            assertThat(repository.get("quota").get("maxManifests").asLong()).isEqualTo(2);

            assertThat(http.delete("/v2/counted/a/manifests/" + one.digest()).statusCode()).isEqualTo(202);
            assertThat(http.putManifest("counted/a", "three", OCI_MANIFEST, third).statusCode()).isEqualTo(201);
            // other namespaces are not limited
            for (int i = 0; i < 3; i++) {
                http.pushImage("free/a", "t" + i);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aNamespaceCountsABlobItsRepositoriesShareOnceAndRefusesWhatWouldExceedIt(String database) {
        onDatabase(database, QUOTAS, http -> {
            Descriptor shared = http.pushBlob("shared/a", randomBytes(1000));
            HttpResponse<byte[]> mount = http.post("/v2/shared/b/blobs/uploads/?mount=" + shared.digest()
                    + "&from=shared/a");
            assertThat(mount.statusCode()).isEqualTo(201);
            http.pushBlob("shared/b", randomBytes(1500));

            JsonNode usage = usage(http);
            JsonNode namespace = entry(usage, "namespaces", "namespace", "shared");
            assertThat(namespace.get("bytes").asLong()).as("the shared blob once").isEqualTo(2500);
            assertThat(namespace.get("quota").get("maxBytes").asLong()).isEqualTo(3000);
            assertThat(namespace.get("quota").get("rule").asText()).isEqualTo("quotas[2]");
            assertThat(entry(usage, "repositories", "repository", "shared/a").get("bytes").asLong()).isEqualTo(1000);
            assertThat(entry(usage, "repositories", "repository", "shared/b").get("bytes").asLong())
                    .as("the shared blob fully in each repository").isEqualTo(2500);
            assertThat(entry(usage, "repositories", "repository", "shared/a").get("quota").isNull()).isTrue();

            byte[] over = randomBytes(600);
            HttpResponse<byte[]> refused = pushInOneRequest(http, "shared/c", over);
            assertError(refused, 403, "DENIED");
            assertThat(message(refused)).isEqualTo("quota exceeded for namespace shared: 2.4 KiB of 2.9 KiB stored"
                    + " (quotas[2]); blob " + sha256(over) + " adds 600 B in repository shared/c");
            // the shared blob mounted into a third repository of the namespace adds nothing
            assertThat(http.post("/v2/shared/c/blobs/uploads/?mount=" + shared.digest() + "&from=shared/a")
                    .statusCode()).isEqualTo(201);
            assertThat(pushInOneRequest(http, "shared/c", randomBytes(500)).statusCode()).isEqualTo(201);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aMountThatWouldExceedTheTargetsQuotaIsRefused(String database) {
        onDatabase(database, QUOTAS, http -> {
            Descriptor source = http.pushBlob("unlimited/source", randomBytes(200));
            http.pushBlob("small/b", randomBytes(900));
            HttpResponse<byte[]> mount = http.post("/v2/small/b/blobs/uploads/?mount=" + source.digest()
                    + "&from=unlimited/source");
            assertError(mount, 403, "DENIED");
            assertThat(message(mount)).isEqualTo("quota exceeded for repository small/b: 900 B of 1000 B stored"
                    + " (quotas[0]); blob " + source.digest() + " adds 200 B");
            assertThat(http.head("/v2/small/b/blobs/" + source.digest()).statusCode()).isEqualTo(404);
            // an automatic mount (no from=) is refused alike
            assertError(http.post("/v2/small/b/blobs/uploads/?mount=" + source.digest()), 403, "DENIED");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void deletingAManifestAndCollectingGarbageGivesItsBytesBack(String database) {
        onDatabase(database, QUOTAS, http -> {
            Descriptor image = http.pushImage("small/c", "v1");
            long imageBytes = entry(usage(http), "repositories", "repository", "small/c").get("bytes").asLong();
            assertThat(imageBytes).isPositive();
            byte[] big = randomBytes(900);
            assertError(pushInOneRequest(http, "small/c", big), 403, "DENIED");

            assertThat(http.delete("/v2/small/c/manifests/" + image.digest()).statusCode()).isEqualTo(202);
            // the links stay until garbage collection decides nothing of the repository references them
            assertThat(entry(usage(http), "repositories", "repository", "small/c").get("bytes").asLong())
                    .isEqualTo(imageBytes);
            HttpResponse<byte[]> gc = http.post("/api/v1/admin/gc");
            assertThat(gc.statusCode()).as(RegistryHttp.body(gc)).isEqualTo(200);
            assertThat(usage(http).get("repositories").findValuesAsText("repository")).doesNotContain("small/c");
            assertThat(pushInOneRequest(http, "small/c", big).statusCode()).isEqualTo(201);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void concurrentPushesIntoOneRepositoryNeverTakeItPastItsQuota(String database) {
        onDatabase(database, QUOTAS, http -> {
            int pushers = 8;
            CyclicBarrier start = new CyclicBarrier(pushers);
            ExecutorService pool = Executors.newFixedThreadPool(pushers);
            try {
                List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
                for (int i = 0; i < pushers; i++) {
                    byte[] blob = randomBytes(300);
                    answers.add(pool.submit(() -> {
                        start.await();
                        return pushInOneRequest(http, "small/race", blob);
                    }));
                }
                int stored = 0;
                for (Future<HttpResponse<byte[]>> answer : answers) {
                    HttpResponse<byte[]> response = answer.get();
                    if (response.statusCode() == 201) {
                        stored++;
                    } else {
                        assertError(response, 403, "DENIED");
                    }
                }
                assertThat(stored).as("300-byte blobs that fit 1000 bytes").isEqualTo(3);
                assertThat(entry(usage(http), "repositories", "repository", "small/race").get("bytes").asLong())
                        .isEqualTo(900);
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                pool.shutdownNow();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aScopeAlreadyOverItsLimitTakesNoNewManifestButItsTagsMayMove(String database) throws Exception {
        if (database.equals("sqlite")) {
            overTheLimit(TestDatabases.sqlite(dataDir));
        } else {
            try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
                overTheLimit(schema.config());
            }
        }
    }

    private void overTheLimit(DatabaseConfig database) {
        byte[] stored;
        byte[] notYet;
        try (BerthFixture before = BerthFixture.start(dataDir, config -> config.withDatabase(database))) {
            RegistryHttp http = new RegistryHttp(before.baseUri());
            http.pushBlob("small/lowered", randomBytes(1200));
            stored = http.imageWithBlobs("small/lowered").json();
            http.pushManifest("small/lowered", "v1", OCI_MANIFEST, stored);
            notYet = http.imageWithBlobs("small/lowered").json();
        }
        // the quota comes after the content: the repository holds more than it allows
        run(database, QUOTAS, http -> {
            HttpResponse<byte[]> refused = http.putManifest("small/lowered", "v2", OCI_MANIFEST, notYet);
            assertError(refused, 403, "DENIED");
            assertThat(message(refused)).startsWith("quota exceeded for repository small/lowered: ")
                    .endsWith(" of 1000 B stored (quotas[0]); no new manifests until content is deleted");
            assertThat(http.putManifest("small/lowered", "latest", OCI_MANIFEST, stored).statusCode()).isEqualTo(201);
        });
    }
}
