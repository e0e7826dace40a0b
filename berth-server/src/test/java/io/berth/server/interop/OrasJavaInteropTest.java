package io.berth.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.RegistryFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import land.oras.Annotations;
import land.oras.ArtifactType;
import land.oras.ContainerRef;
import land.oras.Layer;
import land.oras.LocalPath;
import land.oras.Manifest;
import land.oras.ManifestDescriptor;
import land.oras.Referrers;
import land.oras.Registry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ORAS Java SDK (land.oras:oras-java-sdk 0.7.0) over plain HTTP: artifacts with an artifactType and several files
 * are pushed and pulled back byte for byte; blobs are uploaded in chunks; a referrer is attached to a subject and
 * found through the referrers API (Berth only: Distribution 2.8 has none).
 */
class OrasJavaInteropTest {
    static final String BUNDLE_TYPE = "application/vnd.berth.test.bundle.v1";
    static final String SIGNATURE_TYPE = "application/vnd.berth.test.signature.v1";
    static final String SBOM_TYPE = "application/vnd.berth.test.sbom.v1";

    @TempDir
    static Path tmp;

    static RegistryFixture registry;
    static RegistryHttp http;
    static Registry oras;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(tmp.resolve("registry"));
        http = new RegistryHttp(registry);
        oras = Registry.builder().insecure().build();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void artifactWithFilesRoundTripsByteForByte() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("artifact-in"));
        byte[] json = "{\"name\":\"berth\",\"kind\":\"interop\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] text = "plain text payload\n".getBytes(StandardCharsets.UTF_8);
        byte[] binary = pseudoRandom(3 * 1024 * 1024 + 17, 42);
        Files.write(in.resolve("manifest.json"), json);
        Files.write(in.resolve("notes.txt"), text);
        Files.write(in.resolve("payload.bin"), binary);
        ContainerRef ref = ref("interop/oras-artifact", "v1");

        Manifest pushed = oras.pushArtifact(ref, ArtifactType.from(BUNDLE_TYPE),
                Annotations.ofManifest(Map.of("org.opencontainers.image.description", "berth interop")),
                LocalPath.of(in.resolve("manifest.json"), "application/json"),
                LocalPath.of(in.resolve("notes.txt"), "text/plain"),
                LocalPath.of(in.resolve("payload.bin"), "application/octet-stream"));

        // The registry's view over plain HTTP.
        HttpResponse<byte[]> stored = http.manifest("interop/oras-artifact", "v1");
        String digest = OciImages.sha256(stored.body());
        assertThat(pushed.getDescriptor().getDigest()).as("digest ORAS reports for its manifest").isEqualTo(digest);
        JsonNode manifest = OciImages.parse(stored.body());
        assertThat(manifest.path("mediaType").asText()).isEqualTo(OciImages.OCI_MANIFEST);
        assertThat(manifest.path("artifactType").asText()).isEqualTo(BUNDLE_TYPE);
        assertThat(manifest.path("annotations").path("org.opencontainers.image.description").asText())
                .isEqualTo("berth interop");
        List<String> titles = new ArrayList<>();
        manifest.path("layers").forEach(l -> titles.add(
                l.path("annotations").path("org.opencontainers.image.title").asText()));
        assertThat(titles).containsExactly("manifest.json", "notes.txt", "payload.bin");
        assertThat(manifest.path("layers").get(1).path("mediaType").asText()).isEqualTo("text/plain");
        assertThat(http.blob("interop/oras-artifact", OciImages.sha256(binary))).isEqualTo(binary);

        // ORAS reads it back: manifest, blobs, tags, and the files by their titles.
        Manifest fetched = oras.getManifest(ref);
        assertThat(fetched.getArtifactTypeAsString()).isEqualTo(BUNDLE_TYPE);
        assertThat(fetched.getLayers()).extracting(Layer::getDigest).containsExactly(
                OciImages.sha256(json), OciImages.sha256(text), OciImages.sha256(binary));
        assertThat(oras.getBlob(ref.withDigest(OciImages.sha256(text)))).isEqualTo(text);
        assertThat(oras.getTags(ContainerRef.parse(registry.hostPort() + "/interop/oras-artifact")).tags())
                .containsExactly("v1");

        Path out = Files.createDirectories(tmp.resolve("artifact-out"));
        oras.pullArtifact(ref, out, true);
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(json);
        assertThat(Files.readAllBytes(out.resolve("notes.txt"))).isEqualTo(text);
        assertThat(Files.readAllBytes(out.resolve("payload.bin"))).as("3 MiB binary payload").isEqualTo(binary);

        // and by digest
        Path outByDigest = Files.createDirectories(tmp.resolve("artifact-out-by-digest"));
        oras.pullArtifact(ref.withDigest(digest), outByDigest, true);
        assertThat(Files.readAllBytes(outByDigest.resolve("payload.bin"))).isEqualTo(binary);
    }

    @Test
    void chunkedBlobUpload() throws IOException {
        byte[] data = pseudoRandom(2 * 1024 * 1024 + 12345, 7);
        Path file = Files.write(tmp.resolve("chunked.bin"), data);
        ContainerRef ref = ref("interop/oras-chunked", "unused");

        Layer layer = oras.pushBlobChunked(ref, file, 512 * 1024);

        assertThat(layer.getDigest()).isEqualTo(OciImages.sha256(data));
        assertThat(http.blob("interop/oras-chunked", OciImages.sha256(data))).isEqualTo(data);
        // getBlob() would decode the body as text (fine for text blobs only); fetchBlob() streams bytes
        try (InputStream in = oras.fetchBlob(ref.withDigest(OciImages.sha256(data)))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void referrerAttachedToSubjectIsListed() throws IOException {
        Assumptions.assumeTrue(registry.isBerth(), "Distribution 2.8 has no referrers API");
        Path in = Files.createDirectories(tmp.resolve("referrers-in"));
        Files.writeString(in.resolve("app.txt"), "the subject\n");
        Files.writeString(in.resolve("app.sig"), "a signature over the subject\n");
        Files.writeString(in.resolve("sbom.json"), "{\"packages\":[]}\n");
        ContainerRef subjectRef = ref("interop/oras-referrers", "v1");
        Manifest subject = oras.pushArtifact(subjectRef, ArtifactType.from(BUNDLE_TYPE),
                LocalPath.of(in.resolve("app.txt"), "text/plain"));
        String subjectDigest = subject.getDescriptor().getDigest();

        Manifest signature = oras.attachArtifact(subjectRef, ArtifactType.from(SIGNATURE_TYPE),
                // attachArtifact adds "created" to the map it is given: it must be mutable
                Annotations.ofManifest(new HashMap<>(Map.of("org.example.signer", "berth-test"))),
                LocalPath.of(in.resolve("app.sig"), "text/plain"));
        Manifest sbom = oras.attachArtifact(subjectRef, ArtifactType.from(SBOM_TYPE),
                Annotations.ofManifest(new HashMap<>()),
                LocalPath.of(in.resolve("sbom.json"), "application/json"));
        assertThat(signature.getSubject()).isNotNull();
        assertThat(signature.getSubject().getDigest()).isEqualTo(subjectDigest);

        Referrers all = oras.getReferrers(subjectRef.withDigest(subjectDigest), null);
        assertThat(all.getManifests()).extracting(ManifestDescriptor::getDigest)
                .containsExactlyInAnyOrder(signature.getDescriptor().getDigest(), sbom.getDescriptor().getDigest());
        ManifestDescriptor sig = all.getManifests().stream()
                .filter(d -> d.getDigest().equals(signature.getDescriptor().getDigest())).findFirst().orElseThrow();
        assertThat(sig.getArtifactType()).isEqualTo(SIGNATURE_TYPE);
        assertThat(sig.getMediaType()).isEqualTo(OciImages.OCI_MANIFEST);
        assertThat(sig.getAnnotations()).containsEntry("org.example.signer", "berth-test");

        Referrers onlySboms = oras.getReferrers(subjectRef.withDigest(subjectDigest), ArtifactType.from(SBOM_TYPE));
        assertThat(onlySboms.getManifests()).extracting(ManifestDescriptor::getDigest)
                .containsExactly(sbom.getDescriptor().getDigest());

        // The referrer itself pulls back like any artifact.
        Path out = Files.createDirectories(tmp.resolve("referrers-out"));
        oras.pullArtifact(subjectRef.withDigest(signature.getDescriptor().getDigest()), out, true);
        assertThat(Files.readString(out.resolve("app.sig"))).isEqualTo("a signature over the subject\n");
    }

    private static ContainerRef ref(String repo, String tag) {
        return ContainerRef.parse(registry.hostPort() + "/" + repo + ":" + tag);
    }

    private static byte[] pseudoRandom(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
