package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.FileSpec;
import io.berth.client.artifact.PushSpec;
import io.berth.client.artifact.TransferListener;
import io.berth.client.auth.CredentialSource;
import io.berth.client.layout.OciLayout;
import io.berth.client.testing.Skopeo;
import io.berth.client.testing.TestFiles;
import io.berth.client.testing.TestRegistry;
import io.berth.oci.Descriptor;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real skopeo reads what the SDK pushed, and the SDK reads what skopeo pushed from an OCI layout the SDK wrote, and
 * an OCI layout skopeo wrote. Against Berth and Distribution.
 */
class SkopeoInteropTest {
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
        artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true).withCredentials(CredentialSource.anonymous()));
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

    /** An OCI image: an image config and one gzipped tar layer (a packed directory). */
    private PushSpec image() throws Exception {
        Path root = work.resolve("rootfs");
        TestFiles.random(root.resolve("bin/hello"), 3000, 41);
        Path config = Files.writeString(work.resolve("config.json"),
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        return new PushSpec(Optional.empty(), Optional.of(FileSpec.of(config, MediaTypes.OCI_CONFIG)),
                List.of(FileSpec.of(root, "application/vnd.oci.image.layer.v1.tar+gzip")), Map.of());
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("registries")
    void skopeoReadsWhatTheClientPushed(TestRegistry registry) throws Exception {
        Skopeo skopeo = Skopeo.sandbox(work.resolve("skopeo"));
        ArtifactRef artifact = ArtifactRef.parse(registry.host() + "/interop/artifact:1.0");
        artifacts.push(artifact, PushSpec.of("application/vnd.example.test",
                List.of(FileSpec.parse(TestFiles.random(work.resolve("a.bin"), 900, 42).toString()))), TransferListener.NONE);
        byte[] pushed = artifacts.client(registry.host()).manifest(artifact.repository(), new Reference.Tag("1.0")).orElseThrow().bytes();
        assertThat(skopeo.run("inspect", "--raw", "--tls-verify=false", "docker://" + artifact)).isEqualTo(pushed);

        ArtifactRef image = ArtifactRef.parse(registry.host() + "/interop/image:1.0");
        Descriptor manifest = artifacts.push(image, image(), TransferListener.NONE);
        skopeo.run("copy", "--src-tls-verify=false", "docker://" + image, "oci:" + work.resolve("from-skopeo") + ":1.0");

        OciLayout layout = OciLayout.open(work.resolve("from-skopeo"));
        FetchedManifest copied = layout.manifest(new Reference.Tag("1.0")).orElseThrow();
        assertThat(copied.digest()).isEqualTo(manifest.digest());
        for (Descriptor blob : copied.parsed().blobs()) {
            try (InputStream fromLayout = layout.openBlob(blob);
                 InputStream fromRegistry = artifacts.client(registry.host()).openBlob(image.repository(), blob).orElseThrow()) {
                assertThat(fromLayout.readAllBytes()).isEqualTo(fromRegistry.readAllBytes());
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("registries")
    void theClientReadsWhatSkopeoPushedFromALayoutTheClientWrote(TestRegistry registry) throws Exception {
        Skopeo skopeo = Skopeo.sandbox(work.resolve("skopeo"));
        Path dir = work.resolve("layout");
        OciLayout layout = OciLayout.open(dir);
        Descriptor written = artifacts.push(layout, Optional.of(new Reference.Tag("v1")), image(), TransferListener.NONE);
        assertThat(Files.readString(dir.resolve("oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");
        assertThat(Files.readString(dir.resolve("index.json"))).contains("\"org.opencontainers.image.ref.name\":\"v1\"");

        ArtifactRef target = ArtifactRef.parse(registry.host() + "/interop/from-layout:v1");
        skopeo.run("copy", "--dest-tls-verify=false", "oci:" + dir + ":v1", "docker://" + target);

        FetchedManifest pushed = artifacts.client(registry.host()).manifest(target.repository(), new Reference.Tag("v1")).orElseThrow();
        assertThat(pushed.digest()).isEqualTo(written.digest());
        assertThat(pushed.bytes()).isEqualTo(layout.manifest(new Reference.Tag("v1")).orElseThrow().bytes());
        List<Path> files = artifacts.pull(target, work.resolve("out"), Optional.empty(), TransferListener.NONE);
        assertThat(files).containsExactly(work.resolve("out/rootfs"));
        assertThat(work.resolve("out/rootfs/bin/hello")).hasSameBinaryContentAs(work.resolve("rootfs/bin/hello"));
    }
}
