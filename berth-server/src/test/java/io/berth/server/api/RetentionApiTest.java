package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.EMPTY_JSON;
import static io.berth.server.api.RegistryHttp.OCI_EMPTY;
import static io.berth.server.api.RegistryHttp.OCI_INDEX;
import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.config.BerthConfig;
import io.berth.server.event.EndpointConfig;
import io.berth.server.event.EventFormat;
import io.berth.server.event.EventsConfig;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.immutability.ImmutabilityConfig;
import io.berth.server.immutability.ImmutabilityRule;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.retention.DeleteRule;
import io.berth.server.retention.KeepRule;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.retention.RetentionPolicy;
import io.berth.server.startup.ConfigException;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.MovableClock;
import io.berth.server.testing.TestDatabases;
import io.berth.server.testing.WebhookReceiver;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention through a real server whose clock the test moves: the preview, a dry run and the real run agree; what
 * goes is gone and makes the usual delete events; pull times are recorded and used; the lease and the start-up check
 * of type ids. On SQLite and PostgreSQL.
 */
class RetentionApiTest {
    static final Set<String> IMAGES = Set.of("oci-image", "oci-image-index", "oci-index", "docker-image",
            "docker-manifest-list");
    static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    static final String HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    @TempDir
    Path dataDir;
    final MovableClock clock = new MovableClock();
    WebhookReceiver receiver;

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }

    static KeepRule keepLatest(int n) {
        return new KeepRule("keep[0]", Optional.empty(), Set.of(), OptionalInt.of(n), Optional.empty(), Optional.empty());
    }

    /** Images: the last 2 and every release; charts: the last one; untagged manifests: a week. */
    static RetentionConfig policies() {
        KeepRule releases = new KeepRule("keep[1]", Optional.of(Pattern.compile("^v?\\d+\\.\\d+\\.\\d+$")), Set.of(),
                OptionalInt.empty(), Optional.empty(), Optional.empty());
        DeleteRule untagged = new DeleteRule("delete[0]", Optional.empty(), Set.of(), Optional.empty(), Optional.empty(),
                Optional.of(Duration.ofDays(7)));
        List<RepositoryGlob> ret = List.of(RepositoryGlob.of("ret/**"));
        return new RetentionConfig(Duration.ZERO, List.of(
                new RetentionPolicy("images", ret, IMAGES, List.of(), List.of(keepLatest(2), releases)),
                new RetentionPolicy("charts", ret, Set.of("helm-chart"), List.of(), List.of(keepLatest(1))),
                new RetentionPolicy("untagged", ret, Set.of(), List.of(untagged), List.of())));
    }

    private BerthFixture start(UnaryOperator<BerthConfig> customize) {
        return BerthFixture.start(dataDir, customize, clock);
    }

    private UnaryOperator<BerthConfig> withWebhook(DatabaseConfig database) {
        receiver = WebhookReceiver.start();
        EndpointConfig hook = new EndpointConfig("hook", receiver.url(), Map.of(), EventFormat.DISTRIBUTION, List.of(),
                Set.of(), Set.of(), Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(400),
                OptionalInt.empty());
        return config -> config.withRetention(policies()).withEvents(new EventsConfig(List.of(hook), false))
                .withDatabase(database == null ? config.database() : database);
    }

    /** What the scenario pushed, and what the policies must delete of it. */
    record Pushed(Set<String> deletedTags, Set<String> deletedDigests, Set<String> keptTags) {
    }

    private Descriptor pushByDigest(RegistryHttp http, String repo, String mediaType, byte[] manifest) {
        return http.pushManifest(repo, sha256(manifest), mediaType, manifest);
    }

    private Pushed scenario(RegistryHttp http) {
        String app = "ret/app";
        Descriptor amd64 = pushByDigest(http, app, OCI_MANIFEST, http.imageWithBlobs(app).json());
        Descriptor arm64 = pushByDigest(http, app, OCI_MANIFEST, http.imageWithBlobs(app).json());
        Descriptor multi = http.pushManifest(app, "multi", OCI_INDEX, RegistryHttp.imageIndex(List.of(amd64, arm64)));
        clock.advance(Duration.ofMinutes(1));
        Descriptor t1 = http.pushImage(app, "t1");
        Descriptor emptyConfig = http.pushBlob(app, OCI_EMPTY, EMPTY_JSON);
        Descriptor sbomLayer = http.pushBlob(app, "application/spdx+json", "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8));
        Descriptor sbom = pushByDigest(http, app, OCI_MANIFEST, RegistryHttp.ImageManifest.of(emptyConfig)
                .artifactType("application/spdx+json").layer(sbomLayer).subject(t1).json());
        clock.advance(Duration.ofMinutes(1));
        Descriptor t2 = http.pushImage(app, "t2");
        clock.advance(Duration.ofMinutes(1));
        Descriptor t3 = http.pushImage(app, "t3");
        clock.advance(Duration.ofMinutes(1));
        http.pushImage(app, "1.0.0");
        clock.advance(Duration.ofMinutes(1));
        Descriptor dangling = pushByDigest(http, app, OCI_MANIFEST, http.imageWithBlobs(app).json());
        Descriptor chart1 = chart(http, "ret/charts", "0.1.0");
        clock.advance(Duration.ofMinutes(1));
        chart(http, "ret/charts", "0.2.0");
        clock.advance(Duration.ofDays(8));
        assertThat(http.getManifest(app, "t3").statusCode()).isEqualTo(200);
        return new Pushed(Set.of("ret/app:multi", "ret/app:t1", "ret/app:t2", "ret/charts:0.1.0"),
                Set.of("ret/app@" + multi.digest(), "ret/app@" + amd64.digest(), "ret/app@" + arm64.digest(),
                        "ret/app@" + t1.digest(), "ret/app@" + sbom.digest(), "ret/app@" + t2.digest(),
                        "ret/app@" + dangling.digest(), "ret/charts@" + chart1.digest()),
                Set.of("ret/app:t3", "ret/app:1.0.0", "ret/charts:0.2.0"));
    }

    private static Descriptor chart(RegistryHttp http, String repo, String version) {
        Descriptor config = http.pushBlob(repo, HELM_CONFIG, ("{\"name\":\"web\",\"version\":\"" + version + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        Descriptor layer = http.pushBlob(repo, HELM_LAYER, RegistryHttp.randomBytes(50));
        return http.pushManifest(repo, version, OCI_MANIFEST, RegistryHttp.ImageManifest.of(config).layer(layer).json());
    }

    static Set<String> targets(JsonNode deletions, boolean tags) {
        Set<String> result = new TreeSet<>();
        for (JsonNode d : deletions) {
            if (d.get("tag").isNull() != tags) {
                result.add(d.get("repository").asText() + (tags ? ":" + d.get("tag").asText() : "@" + d.get("digest").asText()));
            }
        }
        return result;
    }

    @Test
    void aDryRunShowsExactlyWhatTheRunThenDeletesAndTheDeletionsMakeDeleteEvents() {
        try (BerthFixture registry = start(withWebhook(null))) {
            dryRunEqualsRealRun(new RegistryHttp(registry.baseUri()));
        }
    }

    @Test
    void theSameOnPostgresql() {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture registry = start(withWebhook(schema.config()))) {
            dryRunEqualsRealRun(new RegistryHttp(registry.baseUri()));
        }
    }

    private void dryRunEqualsRealRun(RegistryHttp http) {
        Pushed pushed = scenario(http);

        HttpResponse<byte[]> previewResponse = http.get("/api/v1/admin/retention/preview");
        assertThat(previewResponse.statusCode()).as(body(previewResponse)).isEqualTo(200);
        JsonNode preview = json(previewResponse);
        assertThat(preview.get("dryRun").asBoolean()).isTrue();
        assertThat(preview.get("policies").asInt()).isEqualTo(3);
        assertThat(preview.get("repositoriesExamined").asInt()).isEqualTo(2);
        assertThat(targets(preview.get("deletions"), true)).isEqualTo(new TreeSet<>(pushed.deletedTags()));
        assertThat(targets(preview.get("deletions"), false)).isEqualTo(new TreeSet<>(pushed.deletedDigests()));
        for (JsonNode d : preview.get("deletions")) {
            assertThat(d.get("policy").asText()).isNotEmpty();
            assertThat(d.get("rule").asText()).isNotEmpty();
            assertThat(d.get("reason").asText()).isNotEmpty();
            assertThat(d.get("type").asText()).isNotEmpty();
        }
        assertThat(preview.get("deletions")).anySatisfy(d -> {
            assertThat(d.get("tag").asText()).isEqualTo("0.1.0");
            assertThat(d.get("type").asText()).isEqualTo("helm-chart");
            assertThat(d.get("policy").asText()).isEqualTo("charts");
        });
        assertThat(preview.get("deletions")).anySatisfy(d -> {
            assertThat(d.get("type").asText()).isEqualTo("spdx-sbom");
            assertThat(d.get("rule").asText()).isEqualTo("referrer");
        });
        assertThat(http.headManifest("ret/app", "t1").statusCode()).as("a preview deletes nothing (HEAD: no pull)").isEqualTo(200);

        JsonNode dry = json(http.post("/api/v1/admin/retention?dryRun=true"));
        assertThat(dry.get("deletions")).isEqualTo(preview.get("deletions"));
        assertThat(http.headManifest("ret/app", "t2").statusCode()).as("a dry run deletes nothing (HEAD: no pull)").isEqualTo(200);

        HttpResponse<byte[]> runResponse = http.post("/api/v1/admin/retention");
        assertThat(runResponse.statusCode()).as(body(runResponse)).isEqualTo(200);
        JsonNode run = json(runResponse);
        assertThat(run.get("dryRun").asBoolean()).isFalse();
        assertThat(run.get("status").asText()).isEqualTo("done");
        assertThat(run.get("skipped")).isEmpty();
        assertThat(run.get("deletions")).as("the run deletes what the dry run showed").isEqualTo(preview.get("deletions"));
        assertThat(run.get("tagsDeleted").asInt()).isEqualTo(pushed.deletedTags().size());
        assertThat(run.get("manifestsDeleted").asInt()).isEqualTo(pushed.deletedDigests().size());

        for (String target : pushed.deletedDigests()) {
            String[] parts = target.split("@");
            assertThat(http.getManifest(parts[0], parts[1]).statusCode()).as(target).isEqualTo(404);
        }
        for (String target : pushed.keptTags()) {
            String[] parts = target.split(":");
            assertThat(http.getManifest(parts[0], parts[1]).statusCode()).as(target).isEqualTo(200);
        }
        assertThat(RegistryHttp.strings(json(http.get("/v2/ret/app/tags/list")).get("tags")))
                .containsExactly("1.0.0", "t3");
        assertThat(json(http.get("/api/v1/admin/retention/preview")).get("deletions")).as("nothing left to do").isEmpty();

        int events = pushed.deletedTags().size() + pushed.deletedDigests().size();
        List<WebhookReceiver.Delivery> deletes = receiver.await(d -> d.event().get("action").asText().equals("delete"),
                events, Duration.ofSeconds(20));
        assertThat(deletes).hasSize(events);
        Set<String> tagEvents = new TreeSet<>();
        Set<String> manifestEvents = new TreeSet<>();
        for (WebhookReceiver.Delivery delivery : deletes) {
            JsonNode event = delivery.event();
            assertThat(event.at("/actor/name").asText()).isEqualTo("retention");
            String repository = event.at("/target/repository").asText();
            if (event.at("/target/tag").isMissingNode()) {
                manifestEvents.add(repository + "@" + event.at("/target/digest").asText());
            } else {
                tagEvents.add(repository + ":" + event.at("/target/tag").asText());
            }
        }
        assertThat(tagEvents).isEqualTo(new TreeSet<>(pushed.deletedTags()));
        assertThat(manifestEvents).isEqualTo(new TreeSet<>(pushed.deletedDigests()));
    }

    @Test
    void pullsAreRecordedAndANotPulledForRuleSparesWhatWasPulled() {
        DeleteRule stale = new DeleteRule("delete[0]", Optional.empty(), Set.of(), Optional.empty(),
                Optional.of(Duration.ofDays(30)), Optional.empty());
        RetentionConfig config = new RetentionConfig(Duration.ZERO, List.of(new RetentionPolicy("stale",
                List.of(RepositoryGlob.of("**")), Set.of(), List.of(stale), List.of())));
        try (BerthFixture registry = start(c -> c.withRetention(config))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            Descriptor byTag = http.pushImage("pulls/app", "by-tag");
            Descriptor byDigest = http.pushImage("pulls/app", "by-digest");
            http.pushImage("pulls/app", "never");
            http.pushImage("pulls/app", "headed");
            clock.advance(Duration.ofDays(20));
            assertThat(http.getManifest("pulls/app", "by-tag").statusCode()).isEqualTo(200);
            assertThat(http.getManifest("pulls/app", "by-tag").statusCode()).as("from the cache").isEqualTo(200);
            assertThat(http.getManifest("pulls/app", byDigest.digest()).statusCode()).isEqualTo(200);
            assertThat(http.headManifest("pulls/app", "headed").statusCode()).isEqualTo(200);
            clock.advance(Duration.ofDays(20));

            JsonNode preview = json(http.get("/api/v1/admin/retention/preview"));

            assertThat(targets(preview.get("deletions"), true)).containsExactly("pulls/app:headed", "pulls/app:never");
            assertThat(preview.get("deletions")).filteredOn(d -> !d.get("tag").isNull())
                    .allSatisfy(d -> assertThat(d.get("reason").asText()).contains("never pulled (notPulledFor 30d)"));
            clock.advance(Duration.ofDays(15));
            JsonNode later = json(http.get("/api/v1/admin/retention/preview"));
            assertThat(targets(later.get("deletions"), true)).as("35 days after their last pull")
                    .containsExactly("pulls/app:by-digest", "pulls/app:by-tag", "pulls/app:headed", "pulls/app:never");
            assertThat(later.get("deletions")).filteredOn(d -> d.get("tag").asText().equals("by-tag")).singleElement()
                    .satisfies(d -> assertThat(d.get("reason").asText()).contains("last pulled 35d ago"));
            assertThat(byTag.digest()).isNotEqualTo(byDigest.digest());
        }
    }

    @Test
    void aRunIsRefusedWhileCollectionsArePausedOrAnotherRunHoldsTheLease() {
        try (BerthFixture registry = start(c -> c.withRetention(policies()))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            http.pushImage("ret/app", "t1");
            assertThat(http.post("/api/v1/admin/gc/pause").statusCode()).isEqualTo(200);
            HttpResponse<byte[]> paused = http.post("/api/v1/admin/retention");
            RegistryHttp.assertError(paused, 409, "UNSUPPORTED");
            assertThat(body(paused)).contains("paused");
            assertThat(http.post("/api/v1/admin/retention?dryRun=true").statusCode()).as("a dry run needs no lease")
                    .isEqualTo(200);
            assertThat(http.get("/api/v1/admin/retention/preview").statusCode()).isEqualTo(200);
            assertThat(http.post("/api/v1/admin/gc/resume").statusCode()).isEqualTo(200);
            assertThat(http.post("/api/v1/admin/retention").statusCode()).isEqualTo(200);
            RegistryHttp.assertError(http.post("/api/v1/admin/retention?dryRun=maybe"), 400, "UNSUPPORTED");
        }
    }

    @Test
    void anImmutableTagIsNeitherPreviewedNorDeletedAndARunWaitsOutTheOperatorsReadOnlyMode() {
        DeleteRule everything = new DeleteRule("delete[0]", Optional.of(Pattern.compile(".")), Set.of(), Optional.empty(),
                Optional.empty(), Optional.empty());
        RetentionConfig deleteAll = new RetentionConfig(Duration.ZERO, List.of(new RetentionPolicy("all",
                List.of(RepositoryGlob.of("ret/**")), Set.of(), List.of(everything), List.of())));
        ImmutabilityConfig releases = new ImmutabilityConfig(List.of(new ImmutabilityRule(0,
                List.of(RepositoryGlob.of("ret/**")), Optional.of(Pattern.compile("^v")), Set.of())));
        try (BerthFixture registry = start(c -> c.withRetention(deleteAll).withImmutability(releases))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            Descriptor release = http.pushImage("ret/app", "v1.0.0");
            http.pushImage("ret/app", "pr-1");

            JsonNode preview = json(http.get("/api/v1/admin/retention/preview"));
            assertThat(targets(preview.get("deletions"), true)).containsExactly("ret/app:pr-1");

            assertThat(http.post("/api/v1/admin/read-only?enabled=true&reason=maintenance").statusCode()).isEqualTo(200);
            HttpResponse<byte[]> refused = http.post("/api/v1/admin/retention");
            RegistryHttp.assertError(refused, 409, "UNSUPPORTED");
            assertThat(body(refused)).contains("read-only");
            assertThat(http.getManifest("ret/app", "pr-1").statusCode()).isEqualTo(200);
            assertThat(http.post("/api/v1/admin/read-only?enabled=false").statusCode()).isEqualTo(200);

            JsonNode run = json(http.post("/api/v1/admin/retention"));
            assertThat(targets(run.get("deletions"), true)).containsExactly("ret/app:pr-1");
            assertThat(run.get("skipped")).isEmpty();
            assertThat(http.getManifest("ret/app", "pr-1").statusCode()).isEqualTo(404);
            assertThat(http.getManifest("ret/app", "v1.0.0").statusCode()).isEqualTo(200);
            assertThat(http.getManifest("ret/app", release.digest().toString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutPoliciesThePreviewIsEmpty() {
        try (BerthFixture registry = start(UnaryOperator.identity())) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            http.pushImage("any/app", "t1");
            JsonNode preview = json(http.get("/api/v1/admin/retention/preview"));
            assertThat(preview.get("policies").asInt()).isZero();
            assertThat(preview.get("deletions")).isEmpty();
        }
    }

    @Test
    void aTypeIdTheCatalogDoesNotKnowStopsTheStartNamingTheKey() {
        KeepRule keep = new KeepRule("keep[0]", Optional.empty(), Set.of("helm"), OptionalInt.of(5), Optional.empty(),
                Optional.empty());
        RetentionConfig config = new RetentionConfig(Duration.ZERO, List.of(new RetentionPolicy("charts",
                List.of(RepositoryGlob.of("**")), Set.of(), List.of(), List.of(keep))));
        assertThatThrownBy(() -> start(c -> c.withRetention(config)).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("retention.policies[0] (charts): unknown type id 'helm'");
    }
}
