package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.event.EndpointConfig;
import io.berth.server.event.EventFormat;
import io.berth.server.event.EventsConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.WebhookReceiver;
import io.berth.server.testing.WebhookReceiver.Delivery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable delivery (issue #8): events wait in the outbox while their endpoint is down — refusing connections, then
 * answering 503 — across a restart of Berth, are then delivered all and in order, and never twice, even after
 * another restart.
 */
class EventDeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String REPOSITORY = "durable/app";

    @TempDir
    Path dataDir;
    WebhookReceiver receiver;
    BerthFixture registry;

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
        receiver.close();
    }

    BerthFixture start() {
        EndpointConfig hook = new EndpointConfig("hook", receiver.url(), Map.of(), EventFormat.DISTRIBUTION, List.of(),
                Set.of(), Set.of(), Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(400), OptionalInt.empty());
        return BerthFixture.start(dataDir, config -> config.withEvents(new EventsConfig(List.of(hook), false)));
    }

    JsonNode status() {
        JsonNode endpoints = RegistryHttp.json(new RegistryHttp(registry.baseUri()).get("/api/v1/events/endpoints"))
                .get("endpoints");
        assertThat(endpoints).hasSize(1);
        return endpoints.get(0);
    }

    JsonNode awaitStatus(Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode status = status();
        while (!condition.test(status) && System.nanoTime() < deadline) {
            WebhookReceiver.sleep(100);
            status = status();
        }
        assertThat(condition).as("status %s", status).accepts(status);
        return status;
    }

    static List<String> tags(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.event().at("/target/tag").asText()).toList();
    }

    @Test
    void eventsWaitForADownEndpointAcrossRestartsAndArriveInOrderExactlyOnce() {
        receiver = WebhookReceiver.start();
        receiver.stop();
        registry = start();
        RegistryHttp http = new RegistryHttp(registry.baseUri());
        for (int i = 0; i < 5; i++) {
            http.pushImage(REPOSITORY, "v" + i);
        }

        JsonNode refused = awaitStatus(s -> s.get("attempts").asInt() >= 2);
        assertThat(refused.get("pending").asInt()).isEqualTo(5);
        assertThat(refused.get("delivered").asInt()).isZero();
        assertThat(refused.get("lastError").asText()).contains("ConnectException");
        assertThat(refused.get("lastFailure").isTextual()).isTrue();
        assertThat(refused.get("lastSuccess").isNull()).isTrue();
        assertThat(refused.get("oldestPending").isTextual()).isTrue();

        receiver.restart();
        receiver.failWith(503);
        JsonNode unavailable = awaitStatus(s -> s.get("lastError").asText().equals("HTTP 503"));
        assertThat(unavailable.get("pending").asInt()).isEqualTo(5);
        assertThat(receiver.refusedCount()).isPositive();

        registry.close();
        registry = start();
        assertThat(status().get("pending").asInt()).as("nothing lost in the restart").isEqualTo(5);
        assertThat(status().get("failedAttempts").asInt()).as("the record survives the restart").isPositive();

        receiver.failWith(0);
        List<Delivery> delivered = receiver.await(d -> true, 5, WAIT);
        assertThat(tags(delivered)).containsExactly("v0", "v1", "v2", "v3", "v4");
        JsonNode caughtUp = awaitStatus(s -> s.get("pending").asInt() == 0);
        assertThat(caughtUp.get("delivered").asInt()).isEqualTo(5);
        assertThat(caughtUp.get("attempts").asInt()).isZero();
        assertThat(caughtUp.get("lastSuccess").isTextual()).isTrue();

        registry.close();
        registry = start();
        new RegistryHttp(registry.baseUri()).pushImage(REPOSITORY, "v5");
        List<Delivery> afterRestart = receiver.await(d -> true, 6, WAIT);
        WebhookReceiver.sleep(1000);
        assertThat(tags(receiver.deliveries())).as("none twice").containsExactly("v0", "v1", "v2", "v3", "v4", "v5");
        assertThat(receiver.duplicates()).isEmpty();
        assertThat(afterRestart.get(5).event().at("/source/instanceID").asText())
                .as("each start is a new instance").isNotEqualTo(afterRestart.get(0).event().at("/source/instanceID").asText());
    }

    @Test
    void maxRetriesAbandonsAnEventSoThatTheNextCanGo() {
        receiver = WebhookReceiver.start();
        receiver.failWith(500);
        EndpointConfig giveUp = new EndpointConfig("hook", receiver.url(), Map.of(), EventFormat.CLOUDEVENTS, List.of(),
                Set.of(), Set.of(), Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(50), OptionalInt.of(2));
        registry = BerthFixture.start(dataDir, config -> config.withEvents(new EventsConfig(List.of(giveUp), false)));
        RegistryHttp http = new RegistryHttp(registry.baseUri());
        http.pushImage(REPOSITORY, "lost");

        JsonNode abandoned = awaitStatus(s -> s.get("abandoned").asInt() == 1);
        assertThat(abandoned.get("pending").asInt()).isZero();
        assertThat(abandoned.get("failedAttempts").asInt()).isEqualTo(3);

        receiver.failWith(0);
        http.pushImage(REPOSITORY, "next");
        List<Delivery> delivered = receiver.await(d -> true, 1, WAIT);
        assertThat(delivered.get(0).body().at("/data/tag").asText()).isEqualTo("next");
    }
}
