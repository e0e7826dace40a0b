package io.berth.client.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.client.BlobSource;
import io.berth.client.ManifestJson;
import io.berth.client.layout.OciLayout;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pull never writes outside its directory and never leaves unverified content under a file's name: hostile titles,
 * hostile archive entries and corrupted blobs are refused (served from an OCI layout, which is as untrusted as a
 * registry).
 */
class PullSafetyTest {
    @TempDir
    Path work;
    OciLayout layout;
    Artifacts artifacts;

    @BeforeEach
    void open() {
        layout = OciLayout.open(work.resolve("layout"));
        artifacts = Artifacts.create(io.berth.client.ClientOptions.defaults()
                .withCredentials(io.berth.client.auth.CredentialSource.anonymous()));
    }

    @AfterEach
    void close() {
        artifacts.close();
    }

    private void pushManifest(String tag, byte[] layer, Map<String, String> layerAnnotations) {
        Descriptor blob = new Descriptor("application/octet-stream", Digest.sha256(layer), layer.length, Optional.empty(),
                layerAnnotations, Optional.empty(), List.of());
        layout.pushBlob(blob, BlobSource.of(layer), n -> { });
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        Descriptor config = Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(empty), 2);
        layout.pushBlob(config, BlobSource.of(empty), n -> { });
        layout.pushManifest(new Reference.Tag(tag), ManifestJson.image(Optional.of("application/vnd.test"), config,
                List.of(blob), Optional.empty(), Map.of()), MediaTypes.OCI_MANIFEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil.txt", "a/../../evil.txt", "/tmp/evil.txt", "..", "a/..", "C:evil.txt", "..\\evil.txt"})
    void titlesThatLeaveTheDirectoryAreRefused(String title) {
        pushManifest("hostile", "pwned".getBytes(StandardCharsets.UTF_8), Map.of("org.opencontainers.image.title", title));
        Path out = work.resolve("deep/out");
        assertThatThrownBy(() -> artifacts.pull(layout, new Reference.Tag("hostile"), out, Optional.empty(), TransferListener.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID));
        assertThat(work.resolve("deep/evil.txt")).doesNotExist();
        assertThat(work.resolve("evil.txt")).doesNotExist();
        assertThat(out).doesNotExist();
    }

    @Test
    void archiveEntriesThatLeaveTheDirectoryAreRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("docs/../../escaped.txt", true);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        pushManifest("zip-slip", bytes.toByteArray(), Map.of("org.opencontainers.image.title", "docs",
                "io.deis.oras.content.unpack", "true"));
        Path out = work.resolve("out");
        assertThatThrownBy(() -> artifacts.pull(layout, new Reference.Tag("zip-slip"), out, Optional.empty(), TransferListener.NONE))
                .isInstanceOf(RegistryException.class);
        assertThat(work.resolve("escaped.txt")).doesNotExist();
        assertThat(out.resolve("docs")).doesNotExist();
    }

    @Test
    void aCorruptedBlobIsRefusedAndLeavesNoFile() throws Exception {
        byte[] content = "the real content".getBytes(StandardCharsets.UTF_8);
        pushManifest("corrupt", content, Map.of("org.opencontainers.image.title", "file.txt"));
        Path blob = layout.root().resolve("blobs/sha256/" + Digest.sha256(content).hex());
        Files.writeString(blob, "the fake content"); // same length, other bytes
        Path out = work.resolve("out");
        assertThatThrownBy(() -> artifacts.pull(layout, new Reference.Tag("corrupt"), out, Optional.empty(), TransferListener.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID);
                    assertThat(e.detail()).contains("arrived with digest");
                });
        assertThat(out.resolve("file.txt")).doesNotExist();
        try (var files = Files.list(out)) {
            assertThat(files).as("no partial file left behind").isEmpty();
        }
    }
}
