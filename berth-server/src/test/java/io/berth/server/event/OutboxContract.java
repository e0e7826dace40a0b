package io.berth.server.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Digest;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference.Tag;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.RequestContext;
import io.berth.server.meta.ChangeListener;
import io.berth.server.meta.Database;
import io.berth.server.meta.JdbcBlobIndex;
import io.berth.server.meta.JdbcManifestIndex;
import io.berth.server.meta.StoredManifest;
import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event outbox on each metadata database, written through the real seam: the JDBC indexes calling the
 * {@link EventRecorder} inside their transactions.
 */
abstract class OutboxContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Repository APP = Repository.of("team/app");
    static final RequestContext REQUEST = new RequestContext("req-7", "10.1.1.1:4000", "registry:5000", "PUT", "test/1",
            RequestContext.ANONYMOUS);

    Database database;
    Outbox outbox;
    AtomicInteger wakes;
    JdbcManifestIndex manifests;
    JdbcBlobIndex blobs;

    abstract DatabaseConfig emptyDatabase() throws Exception;

    void discardDatabase() throws Exception {
    }

    static EndpointConfig endpoint(String name, EventFormat format, Set<String> types) {
        return new EndpointConfig(name, URI.create("http://127.0.0.1:9/" + name), Map.of(), format, List.of(), Set.of(),
                types, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1), OptionalInt.empty());
    }

    @BeforeEach
    void open() throws Exception {
        database = Database.open(emptyDatabase());
        outbox = new Outbox(database);
        outbox.register(List.of("all", "helm"));
        wakes = new AtomicInteger();
        EventRecorder recorder = new EventRecorder(outbox,
                List.of(endpoint("all", EventFormat.DISTRIBUTION, Set.of()), endpoint("helm", EventFormat.CLOUDEVENTS, Set.of("helm-chart"))),
                TypeCatalog::builtIn, () -> new Event.Source("berth:5000", "instance"), Clock.systemUTC(), wakes::incrementAndGet);
        manifests = new JdbcManifestIndex(database, Clock.systemUTC(), recorder);
        blobs = new JdbcBlobIndex(database, Clock.systemUTC(), recorder);
    }

    @AfterEach
    void close() throws Exception {
        if (database != null) {
            database.close();
        }
        discardDatabase();
    }

    static StoredManifest manifest(Repository repository, String content, String typeId) {
        byte[] bytes = content.getBytes(UTF_8);
        return new StoredManifest(repository, Digest.sha256(bytes), MediaTypes.OCI_MANIFEST, bytes, Optional.empty(),
                Optional.empty(), Map.of(), Instant.now(), new StoredManifest.Classification(typeId, List.of(), bytes.length));
    }

    static JsonNode event(Outbox.Pending pending) {
        try {
            JsonNode body = JSON.readTree(pending.body());
            return body.has("events") ? body.get("events").get(0) : body;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPushPutsOneEventPerMatchingEndpointIntoTheOutboxRenderedInItsFormat() {
        StoredManifest chart = manifest(APP, "chart", "helm-chart");
        StoredManifest image = manifest(APP, "image", "oci-image");

        manifests.put(chart, List.of(), List.of(), Optional.of(new Tag("1.0")), REQUEST);
        manifests.put(image, List.of(), List.of(), Optional.empty(), REQUEST);

        List<Outbox.Pending> all = outbox.pending("all", 10);
        assertThat(all).hasSize(2);
        assertThat(all.get(0).seq()).isLessThan(all.get(1).seq());
        assertThat(all.get(0).contentType()).isEqualTo("application/vnd.docker.distribution.events.v1+json");
        JsonNode first = event(all.get(0));
        assertThat(first.get("action").asText()).isEqualTo("push");
        assertThat(first.at("/target/tag").asText()).isEqualTo("1.0");
        assertThat(first.at("/target/digest").asText()).isEqualTo(chart.digest().toString());
        assertThat(first.at("/target/type/id").asText()).isEqualTo("helm-chart");
        assertThat(first.at("/target/type/title").asText()).isEqualTo("Helm chart");
        assertThat(first.at("/request/id").asText()).isEqualTo("req-7");
        assertThat(event(all.get(1)).at("/target/type/id").asText()).isEqualTo("oci-image");
        List<Outbox.Pending> helm = outbox.pending("helm", 10);
        assertThat(helm).hasSize(1);
        assertThat(helm.get(0).contentType()).isEqualTo("application/cloudevents+json");
        assertThat(event(helm.get(0)).get("type").asText()).isEqualTo("io.berth.artifact.pushed");
        assertThat(helm.get(0).eventId()).isEqualTo(all.get(0).eventId());
        assertThat(wakes.get()).as("the senders are woken after each commit").isEqualTo(2);
    }

    @Test
    void deletesOfTagsManifestsAndBlobsAreEvents() {
        Digest layer = Digest.sha256("layer".getBytes(UTF_8));
        blobs.link(APP, layer, 5);
        StoredManifest image = manifest(APP, "image", "oci-image");
        manifests.put(image, List.of(layer), List.of(), Optional.of(new Tag("v1")), REQUEST);

        assertThat(manifests.deleteTag(APP, new Tag("v1"), REQUEST)).isTrue();
        assertThat(manifests.deleteTag(APP, new Tag("v1"), REQUEST)).isFalse();
        assertThat(manifests.delete(APP, image.digest(), REQUEST)).isTrue();
        assertThat(manifests.delete(APP, image.digest(), REQUEST)).isFalse();
        assertThat(blobs.unlink(APP, layer, REQUEST)).isTrue();
        assertThat(blobs.unlink(APP, layer, REQUEST)).isFalse();

        List<JsonNode> events = outbox.pending("all", 10).stream().map(OutboxContract::event).toList();
        assertThat(events).extracting(e -> e.get("action").asText()).containsExactly("push", "delete", "delete", "delete");
        assertThat(events.get(1).at("/target/tag").asText()).isEqualTo("v1");
        assertThat(events.get(1).at("/target/digest").asText()).isEqualTo(image.digest().toString());
        assertThat(events.get(2).at("/target/tag").isMissingNode()).isTrue();
        assertThat(events.get(2).at("/target/type/id").asText()).isEqualTo("oci-image");
        assertThat(events.get(3).at("/target/digest").asText()).isEqualTo(layer.toString());
        assertThat(events.get(3).at("/target/mediaType").asText()).isEqualTo("application/octet-stream");
        assertThat(events.get(3).at("/target/size").asLong()).isEqualTo(5);
        assertThat(events.get(3).at("/target/type").isMissingNode()).isTrue();
    }

    @Test
    void aChangeThatRollsBackLeavesNoEventAndAFailingOutboxRollsTheChangeBack() {
        StoredManifest image = manifest(APP, "image", "oci-image");
        assertThatThrownBy(() -> manifests.put(image, List.of(Digest.sha256("missing".getBytes(UTF_8))), List.of(),
                Optional.empty(), REQUEST)).isInstanceOf(RegistryException.class);
        assertThat(outbox.pending("all", 10)).isEmpty();

        ChangeListener failing = (connection, change) -> {
            throw new SQLException("the outbox is full");
        };
        JdbcManifestIndex failingIndex = new JdbcManifestIndex(database, Clock.systemUTC(), failing);
        assertThatThrownBy(() -> failingIndex.put(image, List.of(), List.of(), Optional.empty(), REQUEST))
                .hasRootCauseMessage("the outbox is full");
        assertThat(manifests.manifest(APP, image.digest())).isEmpty();
    }

    @Test
    void deliveriesFailuresAndAbandonmentShowInTheStatus() {
        for (int i = 0; i < 3; i++) {
            manifests.put(manifest(APP, "image " + i, "oci-image"), List.of(), List.of(), Optional.empty(), REQUEST);
        }
        List<Outbox.Pending> pending = outbox.pending("all", 10);
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");

        assertThat(outbox.failed("all", pending.get(0).seq(), "HTTP 503", t0)).isEqualTo(1);
        assertThat(outbox.failed("all", pending.get(0).seq(), "connection refused", t0.plusSeconds(1))).isEqualTo(2);
        Outbox.Status stuck = outbox.status("all");
        assertThat(stuck.pending()).isEqualTo(3);
        assertThat(stuck.attempts()).isEqualTo(2);
        assertThat(stuck.failedAttempts()).isEqualTo(2);
        assertThat(stuck.lastFailure()).contains(t0.plusSeconds(1));
        assertThat(stuck.lastError()).contains("connection refused");
        assertThat(stuck.lastSuccess()).isEmpty();
        assertThat(stuck.oldestPending()).isPresent();

        outbox.delivered("all", pending.get(0).seq(), t0.plusSeconds(2));
        outbox.delivered("all", pending.get(0).seq(), t0.plusSeconds(3));
        outbox.abandoned("all", pending.get(1).seq(), t0.plusSeconds(4));
        Outbox.Status after = outbox.status("all");
        assertThat(after.pending()).isEqualTo(1);
        assertThat(after.delivered()).as("marking twice counts once").isEqualTo(1);
        assertThat(after.abandoned()).isEqualTo(1);
        assertThat(after.attempts()).isZero();
        assertThat(after.lastSuccess()).contains(t0.plusSeconds(2));
        assertThat(outbox.pending("all", 10)).extracting(Outbox.Pending::seq).containsExactly(pending.get(2).seq());
        assertThat(outbox.endpointsWithPending()).containsExactly("all");

        assertThat(outbox.prune("all", t0.plusSeconds(3), t0)).as("delivered before t0+3s").isEqualTo(1);
        assertThat(outbox.prune("all", t0.plusSeconds(60), t0.plusSeconds(60))).as("the abandoned one").isEqualTo(1);
        assertThat(outbox.status("all").pending()).isEqualTo(1);
        assertThat(outbox.status("never-registered").pending()).isZero();
    }

    @Test
    void concurrentPushesGetGapFreeDistinctSeqs() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> pushes = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int n = i;
                pushes.add(pool.submit(() -> manifests.put(manifest(Repository.of("team/app" + (n % 4)), "m" + n, "oci-image"),
                        List.of(), List.of(), Optional.of(new Tag("t" + n)), REQUEST)));
            }
            for (Future<?> push : pushes) {
                push.get();
            }
        } finally {
            pool.shutdown();
        }
        List<Long> seqs = outbox.pending("all", 100).stream().map(Outbox.Pending::seq).toList();
        assertThat(seqs).hasSize(60).doesNotHaveDuplicates().isSorted();
        assertThat(seqs.get(59) - seqs.get(0)).isEqualTo(59);
    }
}
