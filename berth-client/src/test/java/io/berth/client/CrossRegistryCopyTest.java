package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.FileSpec;
import io.berth.client.artifact.PushSpec;
import io.berth.client.artifact.ReferrerTree;
import io.berth.client.artifact.TransferListener;
import io.berth.client.auth.CredentialSource;
import io.berth.client.layout.OciLayout;
import io.berth.client.testing.TestFiles;
import io.berth.client.testing.TestRegistry;
import io.berth.oci.Descriptor;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copy from Berth (referrers API) to Distribution (tag schema): a two-platform image index with a signature on the
 * index and an SBOM on one platform image arrives complete, byte for byte, with its referrers discoverable there.
 */
class CrossRegistryCopyTest {
    @TempDir
    Path work;

    @Test
    void anIndexWithEveryPlatformAndItsReferrersMovesFromBerthToDistribution() throws Exception {
        try (TestRegistry berth = TestRegistry.berth(work.resolve("berth"));
             TestRegistry distribution = TestRegistry.distribution(work.resolve("distribution"));
             Artifacts artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true)
                     .withCredentials(CredentialSource.anonymous()))) {
            ArtifactRef linux = ArtifactRef.parse(berth.host() + "/multi/app:1.0-linux");
            ArtifactRef windows = ArtifactRef.parse(berth.host() + "/multi/app:1.0-windows");
            pushImage(artifacts, linux, "linux", 11);
            pushImage(artifacts, windows, "windows", 12);
            ArtifactRef index = ArtifactRef.parse(berth.host() + "/multi/app:1.0");
            Descriptor indexDescriptor = artifacts.createIndex(index, List.of(new Reference.Tag("1.0-linux"),
                    new Reference.Tag("1.0-windows")), Map.of());
            Descriptor signature = artifacts.attach(index, PushSpec.of("application/vnd.cncf.notary.signature",
                    List.of(FileSpec.of(Files.writeString(work.resolve("sig"), "sig"), "application/jose+json"))), TransferListener.NONE);
            Descriptor sbom = artifacts.attach(linux, PushSpec.of("application/spdx+json",
                    List.of(FileSpec.of(Files.writeString(work.resolve("sbom"), "{}"), "application/spdx+json"))), TransferListener.NONE);

            ArtifactRef target = ArtifactRef.parse(distribution.host() + "/mirror/app:1.0");
            Descriptor copied = artifacts.copy(index, target, true, TransferListener.NONE);

            assertThat(copied.digest()).isEqualTo(indexDescriptor.digest());
            RegistryClient dist = artifacts.client(distribution.host());
            FetchedManifest mirrored = dist.manifest(target.repository(), new Reference.Tag("1.0")).orElseThrow();
            assertThat(mirrored.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(mirrored.parsed().manifests()).extracting(d -> d.platform().orElseThrow().toString())
                    .containsExactly("linux/amd64", "windows/amd64");
            for (Descriptor child : mirrored.parsed().manifests()) {
                FetchedManifest image = dist.manifest(target.repository(), new Reference.ByDigest(child.digest())).orElseThrow();
                for (Descriptor blob : image.parsed().blobs()) {
                    try (var in = dist.openBlob(target.repository(), blob).orElseThrow();
                         var original = artifacts.client(berth.host()).openBlob(index.repository(), blob).orElseThrow()) {
                        assertThat(in.readAllBytes()).isEqualTo(original.readAllBytes());
                    }
                }
            }
            ReferrerTree tree = artifacts.discover(target, Optional.empty());
            assertThat(tree.referrers()).extracting(t -> t.manifest().digest()).containsExactly(signature.digest());
            Descriptor linuxChild = mirrored.parsed().manifests().get(0);
            assertThat(dist.referrers(target.repository(), linuxChild.digest(), Optional.empty()))
                    .extracting(Descriptor::digest).containsExactly(sbom.digest());
            assertThat(dist.tags(target.repository()).orElseThrow()).contains("sha256-" + indexDescriptor.digest().hex());

            Path layout = work.resolve("layout");
            artifacts.copy(artifacts.store(target), new Reference.Tag("1.0"), OciLayout.open(layout), new Reference.Tag("1.0"),
                    true, TransferListener.NONE);
            assertThat(OciLayout.open(layout).tags()).containsExactly("1.0");
            assertThat(OciLayout.open(layout).referrers(indexDescriptor.digest(), Optional.empty()))
                    .extracting(Descriptor::digest).containsExactly(signature.digest());
        }
    }

    static void pushImage(Artifacts artifacts, ArtifactRef ref, String os, long seed) throws Exception {
        Path dir = Files.createTempDirectory("image");
        Path config = Files.writeString(dir.resolve("config.json"), "{\"architecture\":\"amd64\",\"os\":\"" + os
                + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        Path layer = TestFiles.random(dir.resolve("layer.tar.gz"), 40_000, seed);
        artifacts.push(ref, new PushSpec(Optional.empty(), Optional.of(FileSpec.of(config, MediaTypes.OCI_CONFIG)),
                List.of(FileSpec.of(layer, "application/vnd.oci.image.layer.v1.tar+gzip")), Map.of()), TransferListener.NONE);
    }
}
