package io.berth.server.interop;

import static io.berth.server.interop.ToolRunner.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.interop.OciImages.Blob;
import io.berth.server.interop.OciImages.Image;
import io.berth.server.interop.OciImages.MultiArch;
import io.berth.server.testing.RegistryFixture;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo 1.9 (Debian bookworm) against the registry: OCI layout round trips, multi-arch indexes, Docker schema 2,
 * tags, delete, cross-repository mount and inspect. Every image is built by the test; nothing is pulled from outside.
 */
class SkopeoInteropTest {
    @TempDir
    static Path tmp;

    static RegistryFixture registry;
    static RegistryHttp http;
    static ToolRunner tools;

    @BeforeAll
    static void start() {
        ToolRunner.requireTool("skopeo", "skopeo");
        ToolRunner.requireTool("unshare", "util-linux");
        registry = RegistryFixture.start(tmp.resolve("registry"));
        http = new RegistryHttp(registry);
        tools = ToolRunner.create(tmp.resolve("tools"));
    }

    @AfterAll
    static void stop() {
        if (tools != null) {
            tools.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void ociLayoutPushedAndPulledBackIsByteIdentical() {
        Image image = OciImages.image("skopeo round trip");
        Path source = OciImages.writeLayout(tmp.resolve("roundtrip-src"), "v1", image.manifest(), image.blobs());
        String ref = docker("interop/roundtrip", "v1");

        skopeo("copy", "--dest-tls-verify=false", "oci:" + source + ":v1", ref);

        HttpResponse<byte[]> manifest = http.manifest("interop/roundtrip", "v1");
        assertThat(manifest.body()).as("manifest bytes stored by the registry").isEqualTo(image.manifest().bytes());
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(image.manifest().digest());
        assertThat(mediaType(manifest)).isEqualTo(OciImages.OCI_MANIFEST);
        assertThat(http.blob("interop/roundtrip", image.config().digest())).isEqualTo(image.config().bytes());
        assertThat(http.blob("interop/roundtrip", image.layer().digest())).isEqualTo(image.layer().bytes());

        Path back = tmp.resolve("roundtrip-back");
        skopeo("copy", "--src-tls-verify=false", ref, "oci:" + back + ":v1");
        assertSameBlobs(back, image.blobs());
        assertThat(OciImages.taggedDescriptor(back, "v1").path("digest").asText())
                .isEqualTo(image.manifest().digest());

        // and once more by digest
        Path byDigest = tmp.resolve("roundtrip-by-digest");
        skopeo("copy", "--src-tls-verify=false",
                "docker://" + registry.hostPort() + "/interop/roundtrip@" + image.manifest().digest(),
                "oci:" + byDigest + ":pinned");
        assertSameBlobs(byDigest, image.blobs());
    }

    @Test
    void multiArchIndexCopiedWithAllKeepsEveryManifest() {
        MultiArch multi = OciImages.multiArch("skopeo multi-arch", "linux/amd64", "linux/arm64");
        Path source = OciImages.writeLayout(tmp.resolve("multi-src"), "multi", multi.index(), multi.blobs());
        String ref = docker("interop/multiarch", "multi");

        skopeo("copy", "--all", "--dest-tls-verify=false", "oci:" + source + ":multi", ref);

        HttpResponse<byte[]> index = http.manifest("interop/multiarch", "multi");
        assertThat(mediaType(index)).isEqualTo(OciImages.OCI_INDEX);
        assertThat(index.body()).as("index bytes stored by the registry").isEqualTo(multi.index().bytes());
        for (Image image : multi.images()) {
            HttpResponse<byte[]> child = http.manifest("interop/multiarch", image.manifest().digest());
            assertThat(child.body()).as(image.architecture() + " manifest").isEqualTo(image.manifest().bytes());
            assertThat(mediaType(child)).isEqualTo(OciImages.OCI_MANIFEST);
        }

        Path back = tmp.resolve("multi-back");
        skopeo("copy", "--all", "--src-tls-verify=false", ref, "oci:" + back + ":multi");
        assertSameBlobs(back, multi.blobs());
        assertThat(OciImages.taggedDescriptor(back, "multi").path("digest").asText())
                .isEqualTo(multi.index().digest());

        // without --all skopeo resolves the index to the platform asked for
        Image arm = multi.images().get(1);
        Path armOnly = tmp.resolve("multi-arm64");
        skopeo(args("--override-os", "linux", "--override-arch", "arm64"),
                "copy", "--src-tls-verify=false", ref, "oci:" + armOnly + ":arm64");
        assertSameBlobs(armOnly, arm.blobs());
    }

    @Test
    void dockerSchema2Push() {
        Image image = OciImages.image("skopeo docker v2s2");
        Path source = OciImages.writeLayout(tmp.resolve("v2s2-src"), "v1", image.manifest(), image.blobs());
        String ref = docker("interop/v2s2", "v1");

        skopeo("copy", "--format", "v2s2", "--dest-tls-verify=false", "oci:" + source + ":v1", ref);

        String raw = skopeo("inspect", "--raw", "--tls-verify=false", ref).stdout();
        JsonNode manifest = OciImages.parse(raw.getBytes(StandardCharsets.UTF_8));
        assertThat(manifest.path("mediaType").asText()).isEqualTo(OciImages.DOCKER_MANIFEST);
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo(OciImages.DOCKER_CONFIG);
        assertThat(manifest.path("config").path("digest").asText())
                .as("config blob is carried over unchanged").isEqualTo(image.config().digest());
        assertThat(manifest.path("layers")).hasSize(1);
        assertThat(manifest.path("layers").get(0).path("mediaType").asText()).isEqualTo(OciImages.DOCKER_LAYER_GZIP);
        assertThat(manifest.path("layers").get(0).path("digest").asText()).isEqualTo(image.layer().digest());

        HttpResponse<byte[]> stored = http.manifest("interop/v2s2", "v1");
        assertThat(mediaType(stored)).isEqualTo(OciImages.DOCKER_MANIFEST);
        assertThat(new String(stored.body(), StandardCharsets.UTF_8)).isEqualTo(raw);
        assertThat(stored.headers().firstValue("Docker-Content-Digest")).hasValue(OciImages.sha256(stored.body()));
        assertThat(http.blob("interop/v2s2", image.config().digest())).isEqualTo(image.config().bytes());
        assertThat(http.blob("interop/v2s2", image.layer().digest())).isEqualTo(image.layer().bytes());
    }

    @Test
    void listTags() {
        Image image = OciImages.image("skopeo tags");
        Path source = OciImages.writeLayout(tmp.resolve("tags-src"), "v1", image.manifest(), image.blobs());
        List<String> tags = List.of("1.0", "1.1", "latest", "v2-rc.1");
        for (String tag : tags) {
            skopeo("copy", "--dest-tls-verify=false", "oci:" + source + ":v1", docker("interop/tags", tag));
        }

        String out = skopeo("list-tags", "--tls-verify=false", "docker://" + registry.hostPort() + "/interop/tags")
                .stdout();
        JsonNode listed = OciImages.parse(out.getBytes(StandardCharsets.UTF_8));
        List<String> got = new ArrayList<>();
        listed.path("Tags").forEach(t -> got.add(t.asText()));
        assertThat(got).containsExactlyInAnyOrderElementsOf(tags);
        assertThat(listed.path("Repository").asText()).isEqualTo(registry.hostPort() + "/interop/tags");
    }

    @Test
    void deleteRemovesTheManifest() {
        Image keep = OciImages.image("skopeo delete keep");
        Image gone = OciImages.image("skopeo delete gone");
        Path keepSrc = OciImages.writeLayout(tmp.resolve("delete-keep"), "v1", keep.manifest(), keep.blobs());
        Path goneSrc = OciImages.writeLayout(tmp.resolve("delete-gone"), "v1", gone.manifest(), gone.blobs());
        skopeo("copy", "--dest-tls-verify=false", "oci:" + keepSrc + ":v1", docker("interop/delete", "keep"));
        skopeo("copy", "--dest-tls-verify=false", "oci:" + goneSrc + ":v1", docker("interop/delete", "gone"));
        assertThat(http.manifestStatus("interop/delete", gone.manifest().digest())).isEqualTo(200);

        skopeo("delete", "--tls-verify=false", docker("interop/delete", "gone"));

        assertThat(http.manifestStatus("interop/delete", gone.manifest().digest()))
                .as("HEAD of the deleted manifest by digest").isEqualTo(404);
        ToolRunner.Result inspect = tools.runExpectingFailure(skopeoArgs(List.of(),
                "inspect", "--raw", "--tls-verify=false", docker("interop/delete", "gone")).toArray(String[]::new));
        assertThat(inspect.stderr()).as("skopeo's error for the deleted tag").containsIgnoringCase("manifest unknown");
        assertThat(http.manifest("interop/delete", "keep").body()).as("the other tag is untouched")
                .isEqualTo(keep.manifest().bytes());
    }

    @Test
    void copyBetweenRepositoriesMountsBlobs() {
        Image image = OciImages.image("skopeo cross-repo mount");
        Path source = OciImages.writeLayout(tmp.resolve("mount-src"), "v1", image.manifest(), image.blobs());
        skopeo("copy", "--dest-tls-verify=false", "oci:" + source + ":v1", docker("interop/mount-from", "v1"));

        ToolRunner.Result copy = skopeo(List.of("--debug"), "copy", "--src-tls-verify=false",
                "--dest-tls-verify=false", docker("interop/mount-from", "v1"), docker("interop/mount-to", "v1"));

        String from = "from=" + URLEncoder.encode("interop/mount-from", StandardCharsets.UTF_8);
        String mount = "mount=" + URLEncoder.encode(image.layer().digest(), StandardCharsets.UTF_8);
        assertThat(copy.stderr()).as("skopeo --debug output: it tries a cross-repository mount of the layer")
                .contains("Trying to mount").contains(from).contains(mount);
        assertThat(copy.stderr()).as("skopeo --debug output: the registry accepted the mount")
                .contains("mount OK");
        assertThat(http.manifest("interop/mount-to", "v1").body()).isEqualTo(image.manifest().bytes());
        assertThat(http.blob("interop/mount-to", image.layer().digest())).isEqualTo(image.layer().bytes());
        assertThat(http.blob("interop/mount-to", image.config().digest())).isEqualTo(image.config().bytes());
    }

    @Test
    void inspect() {
        Image image = OciImages.image("skopeo inspect");
        Path source = OciImages.writeLayout(tmp.resolve("inspect-src"), "v1", image.manifest(), image.blobs());
        String ref = docker("interop/inspect", "v1");
        skopeo("copy", "--dest-tls-verify=false", "oci:" + source + ":v1", ref);

        JsonNode info = OciImages.parse(skopeo("inspect", "--tls-verify=false", ref).stdout()
                .getBytes(StandardCharsets.UTF_8));
        assertThat(info.path("Digest").asText()).isEqualTo(image.manifest().digest());
        assertThat(info.path("Os").asText()).isEqualTo("linux");
        assertThat(info.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(info.path("Layers")).hasSize(1);
        assertThat(info.path("Layers").get(0).asText()).isEqualTo(image.layer().digest());
        assertThat(info.path("RepoTags").toString()).contains("\"v1\"");

        String raw = skopeo("inspect", "--raw", "--tls-verify=false", ref).stdout();
        assertThat(raw.getBytes(StandardCharsets.UTF_8)).isEqualTo(image.manifest().bytes());
        String config = skopeo("inspect", "--config", "--raw", "--tls-verify=false", ref).stdout();
        assertThat(config.getBytes(StandardCharsets.UTF_8)).isEqualTo(image.config().bytes());
    }

    // ---- helpers ----

    private String docker(String repo, String tag) {
        return "docker://" + registry.hostPort() + "/" + repo + ":" + tag;
    }

    private ToolRunner.Result skopeo(String... args) {
        return skopeo(List.of(), args);
    }

    private ToolRunner.Result skopeo(List<String> globalFlags, String... args) {
        return tools.run(skopeoArgs(globalFlags, args));
    }

    private List<String> skopeoArgs(List<String> globalFlags, String... args) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--policy", tools.policy().toString()));
        command.addAll(globalFlags);
        command.addAll(List.of(args));
        return command;
    }

    private static String mediaType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    }

    /** The layout holds exactly these blobs (no more, no less), byte for byte. */
    private static void assertSameBlobs(Path layout, List<Blob> expected) {
        Map<String, byte[]> want = new TreeMap<>();
        expected.forEach(b -> want.put(b.digest(), b.bytes()));
        Map<String, byte[]> got = OciImages.readBlobs(layout);
        assertThat(got.keySet()).as("blob digests in " + layout).containsExactlyInAnyOrderElementsOf(want.keySet());
        want.forEach((digest, bytes) -> assertThat(got.get(digest)).as("blob " + digest + " in " + layout)
                .isEqualTo(bytes));
    }
}
