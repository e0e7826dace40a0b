package io.berth.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jib core (com.google.cloud.tools:jib-core) builds images from scratch and pushes them over plain HTTP
 * ({@code setAllowInsecureRegistries(true)}: Jib tries HTTPS first and falls back to HTTP only when allowed); a second
 * build uses the first image as its base, pulled from the same registry, and pushes into another repository.
 * Everything is checked over plain HTTP: digests Jib reports, media types, and the layer's files.
 */
class JibInteropTest {
    @TempDir
    static Path tmp;

    static RegistryFixture registry;
    static RegistryHttp http;

    private final List<String> jibLog = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(tmp.resolve("registry"));
        http = new RegistryHttp(registry);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void fromScratchDockerFormat() throws Exception {
        byte[] content = "hello from jib\n".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(Files.createDirectories(tmp.resolve("docker-src")).resolve("hello.txt"), content);

        JibContainer container = containerize(Jib.fromScratch()
                .addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/app/hello")
                .addLabel("org.opencontainers.image.title", "berth-jib"), "interop/jib:docker");

        assertThat(container.isImagePushed()).isTrue();
        HttpResponse<byte[]> stored = http.manifest("interop/jib", "docker");
        assertThat(OciImages.sha256(stored.body())).as("digest Jib reports = digest of the stored manifest")
                .isEqualTo(container.getDigest().toString());
        assertThat(stored.headers().firstValue("Content-Type").orElse("")).startsWith(OciImages.DOCKER_MANIFEST);
        JsonNode manifest = OciImages.parse(stored.body());
        assertThat(manifest.path("mediaType").asText()).isEqualTo(OciImages.DOCKER_MANIFEST);
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(container.getImageId().toString());

        JsonNode config = OciImages.parse(http.blob("interop/jib", container.getImageId().toString()));
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("config").path("Entrypoint").get(0).asText()).isEqualTo("/app/hello");
        assertThat(config.path("config").path("Labels").path("org.opencontainers.image.title").asText())
                .isEqualTo("berth-jib");

        assertThat(manifest.path("layers")).hasSize(1);
        JsonNode layer = manifest.path("layers").get(0);
        assertThat(layer.path("mediaType").asText()).isEqualTo(OciImages.DOCKER_LAYER_GZIP);
        byte[] blob = http.blob("interop/jib", layer.path("digest").asText());
        assertThat(OciImages.sha256(blob)).isEqualTo(layer.path("digest").asText());
        assertThat(blob.length).isEqualTo(layer.path("size").asLong());
        byte[] tar = OciImages.gunzip(blob);
        assertThat(config.path("rootfs").path("diff_ids").get(0).asText()).isEqualTo(OciImages.sha256(tar));
        Map<String, byte[]> files = OciImages.untar(tar);
        assertThat(files).containsKey("app/hello.txt");
        assertThat(files.get("app/hello.txt")).isEqualTo(content);
    }

    @Test
    void fromScratchOciFormat() throws Exception {
        Path file = Files.writeString(Files.createDirectories(tmp.resolve("oci-src")).resolve("data.txt"), "oci\n");

        JibContainer container = containerize(Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .addLayer(List.of(file), AbsoluteUnixPath.get("/data")), "interop/jib:oci");

        HttpResponse<byte[]> stored = http.manifest("interop/jib", "oci");
        assertThat(stored.headers().firstValue("Content-Type").orElse("")).startsWith(OciImages.OCI_MANIFEST);
        assertThat(OciImages.sha256(stored.body())).isEqualTo(container.getDigest().toString());
        JsonNode manifest = OciImages.parse(stored.body());
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo(OciImages.OCI_CONFIG);
        assertThat(manifest.path("layers").get(0).path("mediaType").asText()).isEqualTo(OciImages.OCI_LAYER_GZIP);
        byte[] blob = http.blob("interop/jib", manifest.path("layers").get(0).path("digest").asText());
        assertThat(OciImages.untar(OciImages.gunzip(blob)).get("data/data.txt"))
                .isEqualTo("oci\n".getBytes(StandardCharsets.UTF_8));
        // Jib pushes the same tag again without changes: idempotent, same digest.
        JibContainer again = containerize(Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .addLayer(List.of(file), AbsoluteUnixPath.get("/data")), "interop/jib:oci");
        assertThat(again.getDigest()).isEqualTo(container.getDigest());
    }

    @Test
    void baseImageFromTheRegistryIntoAnotherRepository() throws Exception {
        Path baseFile = Files.writeString(Files.createDirectories(tmp.resolve("base-src")).resolve("base.txt"),
                "base layer\n");
        Path appFile = Files.writeString(Files.createDirectories(tmp.resolve("app-src")).resolve("app.txt"),
                "app layer\n");
        JibContainer base = containerize(Jib.fromScratch()
                .addLayer(List.of(baseFile), AbsoluteUnixPath.get("/base")), "interop/jib-base:1");
        JsonNode baseManifest = OciImages.parse(http.manifest("interop/jib-base", "1").body());
        String baseLayer = baseManifest.path("layers").get(0).path("digest").asText();

        JibContainer derived = containerize(
                Jib.from(RegistryImage.named(registry.hostPort() + "/interop/jib-base:1"))
                        .addLayer(List.of(appFile), AbsoluteUnixPath.get("/app")),
                "interop/jib-derived:1");

        HttpResponse<byte[]> stored = http.manifest("interop/jib-derived", "1");
        assertThat(OciImages.sha256(stored.body())).isEqualTo(derived.getDigest().toString());
        JsonNode manifest = OciImages.parse(stored.body());
        assertThat(manifest.path("layers")).hasSize(2);
        assertThat(manifest.path("layers").get(0).path("digest").asText()).as("base layer reused")
                .isEqualTo(baseLayer);
        assertThat(http.blob("interop/jib-derived", baseLayer)).as("base layer readable in the new repository")
                .isEqualTo(http.blob("interop/jib-base", baseLayer));
        byte[] appLayer = http.blob("interop/jib-derived", manifest.path("layers").get(1).path("digest").asText());
        assertThat(OciImages.untar(OciImages.gunzip(appLayer)).get("app/app.txt"))
                .isEqualTo("app layer\n".getBytes(StandardCharsets.UTF_8));
        assertThat(derived.getImageId()).isNotEqualTo(base.getImageId());
    }

    private JibContainer containerize(JibContainerBuilder builder, String repoAndTag) throws Exception {
        Containerizer containerizer = Containerizer
                .to(RegistryImage.named(registry.hostPort() + "/" + repoAndTag))
                .setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(tmp.resolve("jib-cache/base"))
                .setApplicationLayersCache(tmp.resolve("jib-cache/app"))
                .setToolName("berth-interop-test")
                .addEventHandler(LogEvent.class, e -> jibLog.add(e.getLevel() + " " + e.getMessage()));
        try {
            return builder.containerize(containerizer);
        } catch (Exception e) {
            throw new AssertionError("Jib failed to push " + repoAndTag + "; Jib's log:\n" + String.join("\n", jibLog),
                    e);
        }
    }
}
