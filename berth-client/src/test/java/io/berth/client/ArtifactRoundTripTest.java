package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.FileSpec;
import io.berth.client.artifact.PushSpec;
import io.berth.client.artifact.ReferrerTree;
import io.berth.client.artifact.TransferListener;
import io.berth.client.auth.CredentialSource;
import io.berth.client.testing.TestFiles;
import io.berth.client.testing.TestRegistry;
import io.berth.oci.Descriptor;
import io.berth.oci.Manifest;
import io.berth.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Artifacts facade against Berth and against CNCF Distribution 2.8.2: push, pull, copy, attach and discover round
 * trips, byte for byte. Small chunk settings make multi-megabyte blobs go up in chunks.
 */
class ArtifactRoundTripTest {
    @TempDir
    static Path data;
    static TestRegistry berth;
    static TestRegistry distribution;
    static Artifacts artifacts;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        berth = TestRegistry.berth(data.resolve("berth"));
        distribution = TestRegistry.distribution(data.resolve("distribution"));
        artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true)
                .withCredentials(CredentialSource.anonymous()).withChunking(256 * 1024, 300 * 1024));
    }

    @AfterAll
    static void stop() {
        artifacts.close();
        berth.close();
        distribution.close();
    }

    static Stream<TestRegistry> registries() {
        return Stream.of(berth, distribution);
    }

    static final class Recorder implements TransferListener {
        final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();

        @Override
        public void finished(Descriptor blob, Outcome outcome) {
            outcomes.put(blob.digest().toString(), outcome);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("registries")
    void filesAndDirectoriesComeBackByteIdentical(TestRegistry registry) throws Exception {
        Path small = TestFiles.random(work.resolve("in/small.bin"), 1000, 1);
        Path large = TestFiles.random(work.resolve("in/large.bin"), 3 * 1024 * 1024 + 17, 2); // chunked: > 256 KiB
        Path dir = work.resolve("in/site");
        TestFiles.random(dir.resolve("index.html"), 5000, 3);
        TestFiles.random(dir.resolve("img/logo.png"), 70_000, 4);
        ArtifactRef ref = ArtifactRef.parse(registry.host() + "/round/trip:1.0");

        Recorder first = new Recorder();
        Descriptor pushed = artifacts.push(ref, new PushSpec(Optional.of("application/vnd.example.test"), Optional.empty(),
                List.of(FileSpec.of(small, "application/octet-stream"), FileSpec.parse(large.toString()),
                        FileSpec.parse(dir.toString())), Map.of("k", "v")), first);
        assertThat(first.outcomes).hasSize(3).doesNotContainValue(TransferListener.Outcome.SKIPPED);

        List<Path> pulled = artifacts.pull(ref, work.resolve("out"), Optional.empty(), TransferListener.NONE);
        assertThat(pulled).hasSize(3);
        assertThat(work.resolve("out/small.bin")).hasSameBinaryContentAs(small);
        assertThat(work.resolve("out/large.bin")).hasSameBinaryContentAs(large);
        assertThat(work.resolve("out/site/index.html")).hasSameBinaryContentAs(dir.resolve("index.html"));
        assertThat(work.resolve("out/site/img/logo.png")).hasSameBinaryContentAs(dir.resolve("img/logo.png"));

        FetchedManifest manifest = artifacts.client(registry.host()).manifest(ref.repository(), new Reference.Tag("1.0")).orElseThrow();
        assertThat(manifest.digest()).isEqualTo(pushed.digest());
        Manifest parsed = manifest.parsed();
        assertThat(parsed.artifactType()).contains("application/vnd.example.test");
        assertThat(parsed.config().orElseThrow().mediaType()).isEqualTo("application/vnd.oci.empty.v1+json");
        assertThat(parsed.layers()).extracting(l -> l.annotations().get("org.opencontainers.image.title"))
                .containsExactly("small.bin", "large.bin", "site");
        assertThat(parsed.layers().get(2).annotations()).containsEntry("io.deis.oras.content.unpack", "true");
        assertThat(parsed.annotations()).containsEntry("k", "v").containsKey("org.opencontainers.image.created");

        Recorder again = new Recorder();
        artifacts.push(ArtifactRef.parse(registry.host() + "/round/trip:again"), new PushSpec(Optional.of("application/vnd.example.test"),
                Optional.empty(), List.of(FileSpec.parse(large.toString())), Map.of()), again);
        assertThat(again.outcomes).containsOnly(Map.entry(manifestLayer(parsed, "large.bin"), TransferListener.Outcome.SKIPPED));
    }

    private static String manifestLayer(Manifest manifest, String title) {
        return manifest.layers().stream().filter(l -> title.equals(l.annotations().get("org.opencontainers.image.title")))
                .findFirst().orElseThrow().digest().toString();
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("registries")
    void referrersAreAttachedAndDiscoveredThroughTheApiOrTheTagSchema(TestRegistry registry) throws Exception {
        ArtifactRef subject = ArtifactRef.parse(registry.host() + "/refs/app:1.0");
        Descriptor app = artifacts.push(subject, PushSpec.of("application/vnd.example.app",
                List.of(FileSpec.parse(TestFiles.random(work.resolve("app.bin"), 2000, 5).toString()))), TransferListener.NONE);
        Path sig = Files.writeString(work.resolve("sig.jws"), "{\"signature\":\"x\"}");
        Path sbom = Files.writeString(work.resolve("sbom.spdx.json"), "{\"spdxVersion\":\"SPDX-2.3\"}");
        Descriptor signature = artifacts.attach(subject, PushSpec.of("application/vnd.cncf.notary.signature",
                List.of(FileSpec.of(sig, "application/jose+json"))), TransferListener.NONE);
        Descriptor spdx = artifacts.attach(subject, PushSpec.of("application/spdx+json",
                List.of(FileSpec.of(sbom, "application/spdx+json"))), TransferListener.NONE);
        Descriptor sigOfSbom = artifacts.attach(subject.with(new Reference.ByDigest(spdx.digest())),
                PushSpec.of("application/vnd.cncf.notary.signature", List.of(FileSpec.of(sig, "application/jose+json"))),
                TransferListener.NONE);

        ReferrerTree tree = artifacts.discover(subject, Optional.empty());
        assertThat(tree.manifest().digest()).isEqualTo(app.digest());
        assertThat(tree.referrers()).extracting(t -> t.manifest().digest())
                .containsExactlyInAnyOrder(signature.digest(), spdx.digest());
        ReferrerTree sbomNode = tree.referrers().stream().filter(t -> t.manifest().digest().equals(spdx.digest())).findFirst().orElseThrow();
        assertThat(sbomNode.manifest().artifactType()).contains("application/spdx+json");
        assertThat(sbomNode.referrers()).extracting(t -> t.manifest().digest()).containsExactly(sigOfSbom.digest());
        assertThat(artifacts.discover(subject, Optional.of("application/spdx+json")).referrers())
                .extracting(t -> t.manifest().digest()).containsExactly(spdx.digest());

        String fallbackTag = "sha256-" + app.digest().hex();
        List<String> tags = artifacts.client(registry.host()).tags(subject.repository()).orElseThrow();
        if (registry.isBerth()) {
            assertThat(tags).as("Berth has the referrers API: no fallback tag").doesNotContain(fallbackTag);
        } else {
            assertThat(tags).as("Distribution 2.8 has no referrers API: the tag schema").contains(fallbackTag);
        }

        artifacts.delete(subject.with(new Reference.ByDigest(signature.digest())));
        assertThat(artifacts.discover(subject, Optional.empty()).referrers()).extracting(t -> t.manifest().digest())
                .containsExactly(spdx.digest());
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("registries")
    void copyWithinARegistryMountsAndKeepsEveryReferrer(TestRegistry registry) throws Exception {
        ArtifactRef source = ArtifactRef.parse(registry.host() + "/copy/source:1.0");
        artifacts.push(source, PushSpec.of("application/vnd.example.app",
                List.of(FileSpec.parse(TestFiles.random(work.resolve("payload.bin"), 600_000, 6).toString()))), TransferListener.NONE);
        artifacts.attach(source, PushSpec.of("application/spdx+json",
                List.of(FileSpec.of(Files.writeString(work.resolve("s.json"), "{}"), "application/spdx+json"))), TransferListener.NONE);
        Recorder outcomes = new Recorder();
        ArtifactRef target = ArtifactRef.parse(registry.host() + "/copy/target:2.0");
        Descriptor copied = artifacts.copy(source, target, true, outcomes);

        assertThat(outcomes.outcomes).containsValue(TransferListener.Outcome.MOUNTED)
                .doesNotContainValue(TransferListener.Outcome.COPIED);
        assertThat(artifacts.client(registry.host()).manifest(target.repository(), new Reference.Tag("2.0")).orElseThrow().bytes())
                .isEqualTo(artifacts.client(registry.host()).manifest(source.repository(), new Reference.Tag("1.0")).orElseThrow().bytes());
        assertThat(artifacts.discover(target, Optional.empty()).referrers()).hasSize(1);
        assertThat(copied.digest()).isEqualTo(artifacts.discover(source, Optional.empty()).manifest().digest());
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("registries")
    void aMissingArtifactIsNotFoundAndNothingIsWritten(TestRegistry registry) {
        ArtifactRef missing = ArtifactRef.parse(registry.host() + "/nothing/here:1.0");
        assertThat(artifacts.client(registry.host()).manifest(missing.repository(), missing.requireReference())).isEmpty();
        assertThatThrownBy(() -> artifacts.pull(missing, work.resolve("out"), Optional.empty(), TransferListener.NONE))
                .isInstanceOfSatisfying(RegistryClientException.class, e -> assertThat(e.isNotFound()).isTrue());
        assertThat(work.resolve("out")).doesNotExist();
    }
}
