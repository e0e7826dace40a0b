package io.berth.server.scan;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference.Tag;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.RequestContext;
import io.berth.server.meta.Database;
import io.berth.server.meta.NodeId;
import io.berth.server.meta.JdbcManifestIndex;
import io.berth.server.meta.StoredManifest;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scan store on each metadata database, fed through the real seam (the manifest index calling the scan service's
 * listener inside its transaction) and advanced the way the worker does.
 */
abstract class ScanStoreContract {
    static final Repository APP = Repository.of("team/app");
    static final String REPORT_TYPE = "application/vnd.security.vulnerability.report; version=1.1";

    Database database;
    ScanService service;
    ScanStore store;
    JdbcManifestIndex manifests;

    abstract DatabaseConfig emptyDatabase() throws Exception;

    void discardDatabase() throws Exception {
    }

    @BeforeEach
    void open() throws Exception {
        database = Database.open(emptyDatabase());
        service = ScanService.create(List.of(
                        ScannerConfig.of("images", URI.create("http://127.0.0.1:9"), List.of("oci-image")),
                        ScannerConfig.of("second", URI.create("http://127.0.0.1:9"), List.of("oci-image"))),
                database, TypeCatalog::builtIn, ScanCredentials.CONFIGURED, Clock.systemUTC());
        store = new ScanStore(database);
        manifests = new JdbcManifestIndex(database, Clock.systemUTC(), service.listener());
    }

    @AfterEach
    void close() throws Exception {
        if (service != null) {
            service.close();
        }
        if (database != null) {
            database.close();
        }
        discardDatabase();
    }

    static StoredManifest manifest(String content, String mediaType, String typeId) {
        byte[] bytes = content.getBytes(UTF_8);
        return new StoredManifest(APP, Digest.sha256(bytes), mediaType, bytes, Optional.empty(), Optional.empty(),
                Map.of(), Instant.now(), new StoredManifest.Classification(typeId, List.of(), bytes.length));
    }

    StoredManifest push(String content, String typeId, Optional<Tag> tag, List<Digest> children) {
        StoredManifest manifest = manifest(content, children.isEmpty() ? MediaTypes.OCI_MANIFEST : MediaTypes.OCI_INDEX, typeId);
        manifests.put(manifest, List.of(), children, tag, RequestContext.INTERNAL);
        return manifest;
    }

    ScanStatus status(StoredManifest manifest) {
        return service.status(APP, manifest.digest(), manifest.classification().typeId());
    }

    /**
     * Two nodes' workers never hold one scan at once: what one claimed the other does not get until the claim lapses
     * (its node died) or is released; a worker that lost its claim records nothing over the new holder's work.
     */
    @Test
    void aClaimedScanGoesToOneWorkerUntilItsClaimLapses() {
        StoredManifest image = push("image", "oci-image", Optional.of(new Tag("1.0")), List.of());
        ScanStore first = new ScanStore(database, new NodeId("node-1"));
        ScanStore second = new ScanStore(database, new NodeId("node-2"));
        Instant now = Instant.now();

        assertThat(first.claim(now, 1, now.plusSeconds(200))).extracting(d -> d.key().scanner()).hasSize(1);
        List<ScanStore.Due> rest = second.claim(now, 10, now.plusSeconds(90));
        assertThat(rest).hasSize(1);
        assertThat(first.claim(now, 10, now.plusSeconds(90))).as("both scans are claimed").isEmpty();
        assertThat(service.claims().claimed()).isEqualTo(2);

        // node-2 dies: its claim lapses, node-1 takes the scan over
        Instant later = now.plusSeconds(91);
        List<ScanStore.Due> takenOver = first.claim(later, 10, later.plusSeconds(90));
        assertThat(takenOver).extracting(ScanStore.Due::key).containsExactlyElementsOf(rest.stream().map(ScanStore.Due::key).toList());
        assertThat(second.holdClaim(rest.get(0).key(), later.plusSeconds(90))).as("node-2 lost its claim").isFalse();
        second.failed(rest.get(0).key(), "recorded by a worker that lost its claim", later);
        assertThat(first.scans(APP, image.digest(), false)).filteredOn(row -> row.key().equals(rest.get(0).key()))
                .extracting(ScanStore.Row::status).containsExactly(ScanStore.QUEUED);

        first.submitted(rest.get(0).key(), "scan-1", later, later);
        first.releaseClaims();
        assertThat(second.claim(later, 10, later.plusSeconds(90))).hasSize(2);
    }

    @Test
    void aPushQueuesOneScanPerAcceptingScannerAndNothingForOtherTypes() {
        StoredManifest image = push("image", "oci-image", Optional.of(new Tag("1.0")), List.of());
        StoredManifest chart = push("chart", "helm-chart", Optional.of(new Tag("chart")), List.of());
        push("image", "oci-image", Optional.of(new Tag("again")), List.of());

        List<ScanStore.Due> due = store.due(Instant.now(), 10);
        assertThat(due).extracting(d -> d.key().scanner()).containsExactlyInAnyOrder("images", "second");
        assertThat(due).allSatisfy(d -> {
            assertThat(d.key().digest()).isEqualTo(image.digest());
            assertThat(d.status()).isEqualTo(ScanStore.QUEUED);
            assertThat(d.typeId()).isEqualTo("oci-image");
            assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(d.tag()).contains("1.0");
        });
        assertThat(store.scans(APP, chart.digest(), false)).isEmpty();
        assertThat(status(image).state()).isEqualTo(ScanStatus.State.PENDING);
        assertThat(status(chart)).isEqualTo(ScanStatus.NOT_SCANNABLE);
    }

    @Test
    void aDoneScanShowsItsSummaryAndTwoScannersShowTheLargerCounts() {
        StoredManifest image = push("image", "oci-image", Optional.empty(), List.of());
        Instant now = Instant.now();
        ScanStore.Key first = new ScanStore.Key(APP, image.digest(), "images");
        ScanStore.Key second = new ScanStore.Key(APP, image.digest(), "second");

        store.submitted(first, "scan-1", now, now.plusSeconds(60));
        assertThat(store.due(now, 10)).extracting(d -> d.key().scanner()).containsExactly("second");
        store.done(first, new Summary(1, 2, 0, 1, 0), REPORT_TYPE, "{\"vulnerabilities\":[]}".getBytes(UTF_8), now);
        assertThat(status(image).state()).as("one scanner still pending").isEqualTo(ScanStatus.State.PENDING);
        store.done(second, new Summary(0, 3, 1, 0, 0), REPORT_TYPE, "{}".getBytes(UTF_8), now);

        ScanStatus done = status(image);
        assertThat(done.state()).isEqualTo(ScanStatus.State.DONE);
        assertThat(done.scanner()).contains("images, second");
        assertThat(done.summary()).contains(new Summary(1, 3, 1, 1, 0));
        List<ScanStore.Row> rows = store.scans(APP, image.digest(), true);
        assertThat(rows).extracting(ScanStore.Row::status).containsExactly("done", "done");
        assertThat(rows.get(0).scanRequestId()).contains("scan-1");
        assertThat(rows.get(0).reportMediaType()).contains(REPORT_TYPE);
        assertThat(rows.get(0).report()).hasValueSatisfying(r -> assertThat(new String(r, UTF_8)).contains("vulnerabilities"));
        assertThat(store.due(now.plusSeconds(3600), 10)).isEmpty();
    }

    @Test
    void anIndexNoScannerTakesWholeIsReportedFromItsChildren() {
        StoredManifest linux = push("linux", "oci-image", Optional.empty(), List.of());
        StoredManifest windows = push("windows", "oci-image", Optional.empty(), List.of());
        StoredManifest index = push("index", "oci-image-index", Optional.of(new Tag("1.0")),
                List.of(linux.digest(), windows.digest()));
        Instant now = Instant.now();

        assertThat(status(index).state()).isEqualTo(ScanStatus.State.PENDING);
        for (String scanner : List.of("images", "second")) {
            store.done(new ScanStore.Key(APP, linux.digest(), scanner), new Summary(1, 0, 0, 0, 0), "t", new byte[0], now);
            store.done(new ScanStore.Key(APP, windows.digest(), scanner), new Summary(0, 2, 0, 0, 1), "t", new byte[0], now);
        }
        assertThat(status(index).state()).isEqualTo(ScanStatus.State.DONE);
        assertThat(status(index).summary()).as("platforms add up").contains(new Summary(1, 2, 0, 0, 1));

        store.failed(new ScanStore.Key(APP, windows.digest(), "second"), "the scanner crashed", now);
        assertThat(status(index).state()).as("a partly scanned index is not done").isEqualTo(ScanStatus.State.FAILED);
        assertThat(status(index).error()).contains("the scanner crashed");
        assertThat(store.children(APP, index.digest())).extracting(ScanStore.Child::typeId).containsOnly("oci-image");
    }

    @Test
    void retriesRequeuesAndDeletesChangeTheRows() {
        StoredManifest image = push("image", "oci-image", Optional.empty(), List.of());
        Instant now = Instant.now();
        ScanStore.Key key = new ScanStore.Key(APP, image.digest(), "images");

        store.retry(key, ScanStore.QUEUED, "connection refused", now.plusSeconds(30), now);
        assertThat(store.due(now, 10)).extracting(d -> d.key().scanner()).containsExactly("second");
        assertThat(store.due(now.plusSeconds(31), 10)).filteredOn(d -> d.key().scanner().equals("images"))
                .singleElement().satisfies(d -> assertThat(d.attempts()).isEqualTo(1));
        store.failed(key, "gave up", now);
        assertThat(status(image).state()).as("the second scanner is still at it").isEqualTo(ScanStatus.State.PENDING);
        store.failed(new ScanStore.Key(APP, image.digest(), "second"), "gave up too", now);
        assertThat(status(image).state()).isEqualTo(ScanStatus.State.FAILED);

        store.requeue(APP, image.digest(), List.of("images"), now);
        assertThat(store.scans(APP, image.digest(), false)).filteredOn(r -> r.key().scanner().equals("images"))
                .singleElement().satisfies(r -> {
                    assertThat(r.status()).isEqualTo(ScanStore.QUEUED);
                    assertThat(r.attempts()).isZero();
                    assertThat(r.error()).isEmpty();
                });

        assertThat(manifests.delete(APP, image.digest(), RequestContext.INTERNAL)).isTrue();
        assertThat(store.scans(APP, image.digest(), false)).as("scans go with their manifest").isEmpty();
        store.requeue(APP, image.digest(), List.of("images"), now);
        assertThat(store.scans(APP, image.digest(), false)).as("nothing is queued for a deleted manifest").isEmpty();
    }

    @Test
    void anArtifactPushedBeforeItsScannerWasConfiguredIsUnscannedUntilScannedOnDemand() {
        JdbcManifestIndex withoutScanners = new JdbcManifestIndex(database, Clock.systemUTC());
        StoredManifest image = manifest("old image", MediaTypes.OCI_MANIFEST, "oci-image");
        withoutScanners.put(image, List.of(), List.of(), Optional.empty(), RequestContext.INTERNAL);

        assertThat(status(image)).isEqualTo(ScanStatus.UNSCANNED);
        assertThat(service.scanNow(image).state()).isEqualTo(ScanStatus.State.PENDING);
        assertThat(store.scans(APP, image.digest(), false)).hasSize(2);
    }
}
