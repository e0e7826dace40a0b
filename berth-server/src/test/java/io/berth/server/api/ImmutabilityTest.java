package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.RegistryHttp.ImageManifest;
import io.berth.server.config.BerthConfig;
import io.berth.server.config.ConfigLoader;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code immutability.rules} through the registry's HTTP API, on SQLite and PostgreSQL: an immutable tag keeps its
 * digest against pushes and deletes, the same digest may be pushed again, rules limited to a type apply by the type
 * of the manifest pushed or tagged, and of concurrent pushes to one new immutable tag exactly one wins.
 */
class ImmutabilityTest {
    static final String RULES = """
            immutability:
              rules:
                - repositories: ["team/**"]
                  tags: "^v"
                - repositories: charts/**
                  types: [helm-chart]
            """;
    static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    @TempDir
    Path dataDir;

    /** The configuration of {@code yaml} (only its policy sections matter here), as {@code berth serve} loads it. */
    static UnaryOperator<BerthConfig> policies(Path dataDir, String yaml) {
        try {
            Path file = Files.writeString(Files.createDirectories(dataDir).resolve("berth.yaml"), yaml,
                    StandardCharsets.UTF_8);
            BerthConfig loaded = ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dataDir),
                    Optional.of(file)), Map.of());
            return config -> config.withImmutability(loaded.immutability()).withQuotas(loaded.quotas());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void onDatabase(String database, String yaml, java.util.function.Consumer<RegistryHttp> test) {
        UnaryOperator<BerthConfig> rules = policies(dataDir, yaml);
        if (database.equals("sqlite")) {
            try (BerthFixture registry = BerthFixture.start(dataDir, rules)) {
                test.accept(new RegistryHttp(registry.baseUri()));
            }
            return;
        }
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture registry = BerthFixture.start(dataDir, config -> rules.apply(config.withDatabase(schema.config())))) {
            test.accept(new RegistryHttp(registry.baseUri()));
        }
    }

    private static String message(HttpResponse<byte[]> response) {
        return json(response).path("errors").get(0).path("message").asText();
    }

    private static String digestOf(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void anImmutableTagTakesTheSameDigestAgainButNoOtherAndCannotBeDeleted(String database) {
        onDatabase(database, RULES, http -> {
            byte[] first = http.imageWithBlobs("team/app").json();
            Descriptor v1 = http.pushManifest("team/app", "v1.0", OCI_MANIFEST, first);
            // skopeo and others push the same manifest again: allowed
            assertThat(http.putManifest("team/app", "v1.0", OCI_MANIFEST, first).statusCode()).isEqualTo(201);

            byte[] second = http.imageWithBlobs("team/app").json();
            HttpResponse<byte[]> moved = http.putManifest("team/app", "v1.0", OCI_MANIFEST, second);
            assertError(moved, 403, "DENIED");
            assertThat(message(moved)).isEqualTo("tag v1.0 in team/app is immutable (immutability.rules[0]:"
                    + " repositories team/**, tags ^v): it points at " + v1.digest() + ", not "
                    + RegistryHttp.sha256(second));
            assertThat(digestOf(http.getManifest("team/app", "v1.0"))).isEqualTo(v1.digest());
            // the refused push stored nothing: the manifest is unknown by digest too
            assertThat(http.getManifest("team/app", RegistryHttp.sha256(second)).statusCode()).isEqualTo(404);

            // tags the rule does not cover move freely, also onto the immutable tag's digest
            http.pushManifest("team/app", "latest", OCI_MANIFEST, first);
            http.pushManifest("team/app", "latest", OCI_MANIFEST, second);
            assertThat(http.delete("/v2/team/app/manifests/latest").statusCode()).isEqualTo(202);
            // and other repositories are not covered
            http.pushManifest("other/app", "v1.0", OCI_MANIFEST, http.imageWithBlobs("other/app").json());
            http.pushManifest("other/app", "v1.0", OCI_MANIFEST, http.imageWithBlobs("other/app").json());

            HttpResponse<byte[]> tagDelete = http.delete("/v2/team/app/manifests/v1.0");
            assertError(tagDelete, 403, "DENIED");
            assertThat(message(tagDelete)).isEqualTo("tag v1.0 cannot be deleted: tag v1.0 in team/app is immutable"
                    + " (immutability.rules[0]: repositories team/**, tags ^v) and points at " + v1.digest());
            HttpResponse<byte[]> manifestDelete = http.delete("/v2/team/app/manifests/" + v1.digest());
            assertError(manifestDelete, 403, "DENIED");
            assertThat(message(manifestDelete)).startsWith("manifest " + v1.digest() + " cannot be deleted: tag v1.0"
                    + " in team/app is immutable");
            assertThat(digestOf(http.getManifest("team/app", "v1.0"))).isEqualTo(v1.digest());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRuleForATypeCoversTagsWhoseNewOrCurrentManifestIsOfThatType(String database) {
        onDatabase(database, RULES, http -> {
            // images in charts/** are not covered by the helm-chart rule
            http.pushManifest("charts/web", "1.0.0", OCI_MANIFEST, http.imageWithBlobs("charts/web").json());
            http.pushManifest("charts/web", "1.0.0", OCI_MANIFEST, http.imageWithBlobs("charts/web").json());

            Descriptor chart = http.pushManifest("charts/web", "2.0.0", OCI_MANIFEST, helmChart(http, "charts/web"));
            HttpResponse<byte[]> otherChart = http.putManifest("charts/web", "2.0.0", OCI_MANIFEST,
                    helmChart(http, "charts/web"));
            assertError(otherChart, 403, "DENIED");
            assertThat(message(otherChart)).contains("(immutability.rules[1]: repositories charts/**, types helm-chart)");
            // an image over the chart's tag: the tag's current manifest is a chart, so the rule covers it
            HttpResponse<byte[]> image = http.putManifest("charts/web", "2.0.0", OCI_MANIFEST,
                    http.imageWithBlobs("charts/web").json());
            assertError(image, 403, "DENIED");
            // a chart over an image's tag: the pushed manifest is a chart
            HttpResponse<byte[]> chartOverImage = http.putManifest("charts/web", "1.0.0", OCI_MANIFEST,
                    helmChart(http, "charts/web"));
            assertError(chartOverImage, 403, "DENIED");
            assertThat(digestOf(http.getManifest("charts/web", "2.0.0"))).isEqualTo(chart.digest());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void ofConcurrentPushesToOneNewImmutableTagExactlyOneDigestWins(String database) throws Exception {
        onDatabase(database, RULES, http -> {
            int pushers = 8;
            List<byte[]> manifests = new ArrayList<>();
            for (int i = 0; i < pushers; i++) {
                manifests.add(http.imageWithBlobs("team/race").json());
            }
            for (int round = 0; round < 3; round++) {
                String tag = "v" + round;
                CyclicBarrier start = new CyclicBarrier(pushers);
                ExecutorService pool = Executors.newFixedThreadPool(pushers);
                try {
                    List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
                    for (byte[] manifest : manifests) {
                        answers.add(pool.submit(() -> {
                            start.await();
                            return http.putManifest("team/race", tag, OCI_MANIFEST, manifest);
                        }));
                    }
                    List<String> winners = new ArrayList<>();
                    int denied = 0;
                    for (int i = 0; i < pushers; i++) {
                        HttpResponse<byte[]> answer = answers.get(i).get();
                        if (answer.statusCode() == 201) {
                            winners.add(RegistryHttp.sha256(manifests.get(i)));
                        } else {
                            assertError(answer, 403, "DENIED");
                            denied++;
                        }
                    }
                    assertThat(winners).as("round %d", round).hasSize(1);
                    assertThat(denied).isEqualTo(pushers - 1);
                    assertThat(digestOf(http.getManifest("team/race", tag))).isEqualTo(winners.get(0));
                } catch (Exception e) {
                    throw new AssertionError(e);
                } finally {
                    pool.shutdownNow();
                }
            }
        });
    }

    /** A Helm chart (the catalog's helm-chart type: its config media type) whose blobs are in {@code repository}. */
    static byte[] helmChart(RegistryHttp http, String repository) {
        Descriptor config = http.pushBlob(repository, HELM_CONFIG, ("{\"name\":\"web\",\"version\":\""
                + java.util.HexFormat.of().formatHex(RegistryHttp.randomBytes(4)) + "\"}").getBytes(StandardCharsets.UTF_8));
        Descriptor content = http.pushBlob(repository, HELM_CHART, RegistryHttp.randomBytes(200));
        return ImageManifest.of(config).layer(content).json();
    }
}
