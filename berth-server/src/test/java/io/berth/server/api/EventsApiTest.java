package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.event.Action;
import io.berth.server.event.EndpointConfig;
import io.berth.server.event.EventFormat;
import io.berth.server.event.EventsConfig;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.WebhookReceiver;
import io.berth.server.testing.WebhookReceiver.Delivery;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events end to end (issue #8): the seed listing is pushed to a Berth with five webhook endpoints — everything in
 * Distribution's format, everything as CloudEvents, and three filtered ones — each a receiver on 127.0.0.1.
 */
class EventsApiTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String SAMPLES = "samples/";

    @TempDir
    static Path dataDir;
    static WebhookReceiver all;
    static WebhookReceiver cloud;
    static WebhookReceiver helmPushes;
    static WebhookReceiver imageRepository;
    static WebhookReceiver oneLevel;
    static WebhookReceiver deletes;
    static BerthFixture registry;
    static RegistryHttp http;
    static SeedListing seed;

    static EndpointConfig endpoint(String name, WebhookReceiver receiver, EventFormat format, List<String> repositories,
                                   Set<Action> actions, Set<String> types) {
        return new EndpointConfig(name, receiver.url(), Map.of("Authorization", "Bearer " + name), format,
                repositories.stream().map(RepositoryGlob::of).toList(), actions, types, Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofMillis(500), OptionalInt.empty());
    }

    @BeforeAll
    static void start() {
        all = WebhookReceiver.start();
        cloud = WebhookReceiver.start();
        helmPushes = WebhookReceiver.start();
        imageRepository = WebhookReceiver.start();
        oneLevel = WebhookReceiver.start();
        deletes = WebhookReceiver.start();
        EventsConfig events = new EventsConfig(List.of(
                endpoint("all", all, EventFormat.DISTRIBUTION, List.of(), Set.of(), Set.of()),
                endpoint("cloud", cloud, EventFormat.CLOUDEVENTS, List.of(), Set.of(), Set.of()),
                endpoint("helm-pushes", helmPushes, EventFormat.DISTRIBUTION, List.of("samples/**"), Set.of(Action.PUSH),
                        Set.of("helm-chart")),
                endpoint("image-repository", imageRepository, EventFormat.DISTRIBUTION, List.of("samples/image/*"),
                        Set.of(), Set.of()),
                endpoint("one-level", oneLevel, EventFormat.DISTRIBUTION, List.of("samples/*"), Set.of(), Set.of()),
                endpoint("deletes", deletes, EventFormat.CLOUDEVENTS, List.of(), Set.of(Action.DELETE), Set.of())), false);
        registry = BerthFixture.start(dataDir, config -> config.withEvents(events));
        http = new RegistryHttp(registry.baseUri());
        seed = SeedListing.push(http);
    }

    @AfterAll
    static void stop() {
        registry.close();
        for (WebhookReceiver receiver : List.of(all, cloud, helmPushes, imageRepository, oneLevel, deletes)) {
            receiver.close();
        }
    }

    static Predicate<Delivery> inRepository(String prefix) {
        return d -> repository(d).startsWith(prefix);
    }

    static String repository(Delivery delivery) {
        JsonNode event = delivery.event();
        return event.has("target") ? event.at("/target/repository").asText() : event.at("/data/repository").asText();
    }

    @Test
    void everySeedPushArrivesOnceInDistributionsFormatWithItsType() {
        List<Delivery> pushes = all.await(inRepository(SAMPLES), 10, WAIT);

        assertThat(pushes).allSatisfy(d -> {
            assertThat(d.contentType()).isEqualTo("application/vnd.docker.distribution.events.v1+json");
            assertThat(d.headers()).containsEntry("authorization", "Bearer all");
            assertThat(d.body().get("events")).hasSize(1);
            JsonNode event = d.event();
            assertThat(event.get("action").asText()).isEqualTo("push");
            assertThat(event.at("/request/method").asText()).isEqualTo("PUT");
            assertThat(event.at("/request/id").asText()).isNotEmpty();
            assertThat(event.at("/request/addr").asText()).startsWith("127.0.0.1:");
            assertThat(event.at("/request/host").asText()).isEqualTo(registry.hostPort());
            assertThat(event.at("/request/useragent").asText()).isNotEmpty();
            assertThat(event.at("/actor/name").asText()).isEqualTo("anonymous");
            assertThat(event.at("/source/addr").asText()).isEqualTo(registry.hostPort());
            assertThat(event.at("/source/instanceID").asText()).isNotEmpty();
            assertThat(event.at("/target/url").asText()).isEqualTo("http://" + registry.hostPort() + "/v2/"
                    + event.at("/target/repository").asText() + "/manifests/" + event.at("/target/digest").asText());
            assertThat(event.at("/target/length").asLong()).isEqualTo(event.at("/target/size").asLong()).isPositive();
        });
        assertThat(pushes).extracting(d -> d.event().get("id").asText()).doesNotHaveDuplicates();
        assertThat(pushes).extracting(d -> repository(d) + " " + d.event().at("/target/type/id").asText() + " "
                + d.event().at("/target/tag").asText("-")).containsExactly(
                "samples/image/hello-world oci-image -",
                "samples/image/hello-world oci-image -",
                "samples/image/hello-world oci-image-index 1.0",
                "samples/helm/hello-world helm-chart 1.0",
                "samples/cnab/hello-world cnab-bundle 1.0",
                "samples/arm/hello-world arm-template 1.0",
                "samples/ecs-task/hello-world ecs-task 1.0",
                "samples/image/hello-world image-docs -",
                "samples/image/hello-world cosign-signature -",
                "samples/image/hello-world spdx-sbom -");
        JsonNode index = pushes.get(2).event().get("target");
        assertThat(index.get("digest").asText()).isEqualTo(seed.imageIndex.digest());
        assertThat(index.get("mediaType").asText()).isEqualTo(RegistryHttp.OCI_INDEX);
        assertThat(index.get("size").asLong()).isEqualTo(seed.imageIndex.size());
        assertThat(index.at("/type/title").asText()).isEqualTo("Multi-platform image");
        assertThat(index.has("subject")).isFalse();
        JsonNode sbom = pushes.get(9).event().get("target");
        assertThat(sbom.get("artifactType").asText()).isEqualTo("application/spdx+json");
        assertThat(sbom.get("subject").asText()).as("a referrer names its subject").isEqualTo(seed.imageIndex.digest());
        assertThat(sbom.at("/type/title").asText()).isEqualTo("SPDX SBOM");
        assertThat(pushes.get(3).event().at("/target/artifactType").asText())
                .isEqualTo("application/vnd.cncf.helm.config.v1+json");
    }

    @Test
    void cloudEventsCarryTheSameEvents() {
        List<Delivery> events = cloud.await(inRepository(SAMPLES), 10, WAIT);
        List<Delivery> distribution = all.await(inRepository(SAMPLES), 10, WAIT);

        assertThat(events).allSatisfy(d -> {
            assertThat(d.contentType()).isEqualTo("application/cloudevents+json");
            JsonNode event = d.body();
            assertThat(event.get("specversion").asText()).isEqualTo("1.0");
            assertThat(event.get("type").asText()).isEqualTo("io.berth.artifact.pushed");
            assertThat(event.get("source").asText()).isEqualTo("berth://" + registry.hostPort());
            assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
            assertThat(event.get("time").asText()).isNotEmpty();
            assertThat(event.get("subject").asText()).startsWith(event.at("/data/repository").asText());
        });
        assertThat(events).extracting(d -> d.body().get("id").asText())
                .as("the same events, in the same order").containsExactlyElementsOf(
                        distribution.stream().map(d -> d.event().get("id").asText()).toList());
        JsonNode helm = events.get(3).body();
        assertThat(helm.get("subject").asText()).isEqualTo(SeedListing.HELM + ":1.0");
        assertThat(helm.at("/data/reference").asText()).isEqualTo("1.0");
        assertThat(helm.at("/data/type/id").asText()).isEqualTo("helm-chart");
        assertThat(helm.at("/data/type/title").asText()).isEqualTo("Helm chart");
        assertThat(helm.at("/data/actor/name").asText()).isEqualTo("anonymous");
    }

    @Test
    void filtersSelectByRepositoryActionAndType() {
        all.await(inRepository(SAMPLES), 10, WAIT);
        List<Delivery> helm = helmPushes.await(d -> true, 1, WAIT);
        List<Delivery> image = imageRepository.await(d -> true, 6, WAIT);
        WebhookReceiver.sleep(500);

        assertThat(helmPushes.deliveries()).hasSize(1);
        assertThat(helm.get(0).event().at("/target/repository").asText()).isEqualTo(SeedListing.HELM);
        assertThat(imageRepository.deliveries()).hasSize(6).allSatisfy(d ->
                assertThat(repository(d)).isEqualTo(SeedListing.IMAGE));
        assertThat(image).extracting(d -> d.event().at("/target/type/id").asText()).contains("oci-image-index", "spdx-sbom");
        assertThat(oneLevel.deliveries()).as("samples/* matches one path component only").isEmpty();
        assertThat(deletes.deliveries(inRepository(SAMPLES))).as("no deletes in samples/").isEmpty();
    }

    @Test
    void deletingATagAManifestAndABlobAreEvents() {
        RegistryHttp.Descriptor image = http.pushImage("events/app", "v1");
        RegistryHttp.Descriptor blob = http.pushBlob("events/app", RegistryHttp.randomBytes(10));

        assertThat(http.delete("/v2/events/app/manifests/v1").statusCode()).isEqualTo(202);
        assertThat(http.delete("/v2/events/app/manifests/" + image.digest()).statusCode()).isEqualTo(202);
        assertThat(http.delete("/v2/events/app/blobs/" + blob.digest()).statusCode()).isEqualTo(202);

        List<Delivery> events = deletes.await(inRepository("events/app"), 3, WAIT);
        assertThat(events).extracting(d -> d.body().get("type").asText())
                .containsExactly("io.berth.tag.deleted", "io.berth.artifact.deleted", "io.berth.blob.deleted");
        assertThat(events).allSatisfy(d -> {
            assertThat(d.body().at("/data/action").asText()).isEqualTo("delete");
            assertThat(d.body().at("/data/request/method").asText()).isEqualTo("DELETE");
        });
        JsonNode tag = events.get(0).body().get("data");
        assertThat(tag.get("tag").asText()).isEqualTo("v1");
        assertThat(tag.get("digest").asText()).isEqualTo(image.digest());
        assertThat(tag.at("/type/id").asText()).isEqualTo("oci-image");
        JsonNode manifest = events.get(1).body().get("data");
        assertThat(manifest.get("digest").asText()).isEqualTo(image.digest());
        assertThat(manifest.has("tag")).isFalse();
        JsonNode deletedBlob = events.get(2).body().get("data");
        assertThat(deletedBlob.get("digest").asText()).isEqualTo(blob.digest());
        assertThat(deletedBlob.get("mediaType").asText()).isEqualTo("application/octet-stream");
        assertThat(deletedBlob.get("size").asLong()).isEqualTo(10);
        assertThat(deletedBlob.has("type")).isFalse();
        assertThat(events.get(2).body().get("subject").asText()).isEqualTo("events/app@" + blob.digest());
        all.await(d -> repository(d).equals("events/app") && d.event().get("action").asText().equals("delete"), 3, WAIT);
    }

    @Test
    void pullsMakeNoEventsUnlessSwitchedOn(@TempDir Path otherData) {
        assertThat(http.getManifest(SeedListing.HELM, "1.0").statusCode()).isEqualTo(200);
        WebhookReceiver.sleep(500);
        assertThat(all.deliveries(d -> d.event().get("action").asText().equals("pull"))).isEmpty();

        try (WebhookReceiver pulls = WebhookReceiver.start();
             BerthFixture withPulls = BerthFixture.start(otherData, config -> config.withEvents(new EventsConfig(
                     List.of(endpoint("pulls", pulls, EventFormat.DISTRIBUTION, List.of(), Set.of(Action.PULL), Set.of())),
                     true)))) {
            RegistryHttp other = new RegistryHttp(withPulls.baseUri());
            RegistryHttp.Descriptor image = other.pushImage("pulled/app", "latest");
            assertThat(other.getManifest("pulled/app", "latest").statusCode()).isEqualTo(200);
            assertThat(other.headManifest("pulled/app", "latest").statusCode()).isEqualTo(200);
            assertThat(other.getManifest("pulled/app", image.digest()).statusCode()).isEqualTo(200);
            assertThat(other.getManifest("pulled/app", "missing").statusCode()).isEqualTo(404);

            List<Delivery> events = pulls.await(d -> true, 2, WAIT);
            WebhookReceiver.sleep(500);
            assertThat(pulls.deliveries()).as("GETs only: no HEAD, no miss").hasSize(2);
            assertThat(events).allSatisfy(d -> {
                assertThat(d.event().get("action").asText()).isEqualTo("pull");
                assertThat(d.event().at("/target/digest").asText()).isEqualTo(image.digest());
                assertThat(d.event().at("/target/type/id").asText()).isEqualTo("oci-image");
                assertThat(d.event().at("/request/method").asText()).isEqualTo("GET");
            });
            // Recorded after each answer, on the worker pool: two pulls a moment apart may be recorded in either order.
            assertThat(events).extracting(d -> d.event().at("/target/tag").isMissingNode() ? "(by digest)"
                    : d.event().at("/target/tag").asText()).containsExactlyInAnyOrder("latest", "(by digest)");
        }
    }

    @Test
    void theStatusApiAndTheMetricsShowEachEndpoint() {
        all.await(inRepository(SAMPLES), 10, WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode endpoints;
        do {
            endpoints = RegistryHttp.json(http.get("/api/v1/events/endpoints")).get("endpoints");
        } while (endpoints.get(0).get("delivered").asLong() < 10 && System.nanoTime() < deadline);

        assertThat(endpoints).extracting(e -> e.get("name").asText()).containsExactly(
                "all", "cloud", "helm-pushes", "image-repository", "one-level", "deletes");
        JsonNode first = endpoints.get(0);
        assertThat(first.get("configured").asBoolean()).isTrue();
        assertThat(first.get("url").asText()).as("no query: it may hold a token")
                .isEqualTo("http://127.0.0.1:" + all.port() + "/hook");
        assertThat(first.get("format").asText()).isEqualTo("distribution");
        assertThat(first.get("delivered").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(first.get("attempts").asInt()).isZero();
        assertThat(first.get("lastSuccess").isTextual()).isTrue();
        assertThat(first.get("lastError").isNull()).isTrue();
        assertThat(endpoints.get(1).get("format").asText()).isEqualTo("cloudevents");
        assertThat(endpoints.get(4).get("delivered").asLong()).isZero();

        HttpResponse<byte[]> metrics = http.get("/api/v1/events/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(RegistryHttp.contentType(metrics)).startsWith("text/plain");
        assertThat(RegistryHttp.body(metrics)).contains("# TYPE berth_events_pending gauge",
                "berth_events_pending{endpoint=\"all\"} ", "berth_events_delivered_total{endpoint=\"all\"} ",
                "berth_events_failed_attempts_total{endpoint=\"one-level\"} 0");
        RegistryHttp.assertError(http.post("/api/v1/events/endpoints"), 405, "UNSUPPORTED");
    }
}
