package io.berth.server.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.RegistryFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman 4.3 (Debian bookworm) as root, with vfs storage in private temp roots: an image imported from a tarball that
 * the test writes is pushed, removed, pulled back (by tag into the same storage and by digest into a fresh one), and
 * must keep its image id, manifest digest and layer bytes.
 */
class PodmanInteropTest {
    @TempDir
    static Path tmp;

    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        ToolRunner.requireTool("podman", "podman");
        ToolRunner.requireTool("unshare", "util-linux");
        if (ToolRunner.findOnPath("crun") == null && ToolRunner.findOnPath("runc") == null) {
            fail("podman needs an OCI runtime even to push and pull: apt-get install -y crun (.ci/run installs it)");
        }
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
    void pushRemovePullKeepsImageIdDigestAndLayer() throws IOException {
        try (ToolRunner podman = ToolRunner.create(tmp.resolve("podman-a"));
                ToolRunner fresh = ToolRunner.create(tmp.resolve("podman-b"))) {
            pushRemovePull(podman, fresh);
        }
    }

    private void pushRemovePull(ToolRunner podman, ToolRunner fresh) throws IOException {
        byte[] hello = "hello from podman\n".getBytes(StandardCharsets.UTF_8);
        byte[] tar = OciImages.tar(Map.of("hello.txt", hello, "etc/motd", "berth\n".getBytes(StandardCharsets.UTF_8)));
        Path tarball = Files.write(tmp.resolve("rootfs.tar"), tar);
        String local = "localhost/interop/hello:imported";
        String remote = registry.hostPort() + "/interop/podman:v1";

        String imageId = lastLine(podman.run(podman(podman, "import", tarball.toString(), local)).stdout());
        assertThat(imageId).as("image id printed by podman import").startsWith("sha256:");

        Path digestFile = tmp.resolve("push.digest");
        podman.run(podman(podman, "push", "--tls-verify=false", "--digestfile", digestFile.toString(), local,
                remote));
        String digest = Files.readString(digestFile).trim();

        // What the registry holds, read over plain HTTP.
        HttpResponse<byte[]> manifestResponse = http.manifest("interop/podman", "v1");
        assertThat(OciImages.sha256(manifestResponse.body())).as("digest of the stored manifest = --digestfile")
                .isEqualTo(digest);
        assertThat(manifestResponse.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        JsonNode manifest = OciImages.parse(manifestResponse.body());
        assertThat(manifest.path("config").path("digest").asText()).as("config digest = podman's image id")
                .isEqualTo(imageId);
        JsonNode config = OciImages.parse(http.blob("interop/podman", imageId));
        assertThat(config.path("rootfs").path("diff_ids").get(0).asText())
                .as("diff_id = sha256 of the imported tar").isEqualTo(OciImages.sha256(tar));
        assertThat(manifest.path("layers")).hasSize(1);
        byte[] layer = http.blob("interop/podman", manifest.path("layers").get(0).path("digest").asText());
        assertThat(OciImages.gunzip(layer)).as("the pushed layer is the imported tar, recompressed").isEqualTo(tar);

        podman.run(podman(podman, "rmi", local));
        assertThat(podman.run(podman(podman, "images", "--quiet", "--no-trunc")).stdout()).as("storage after rmi")
                .isBlank();

        String pulledId = lastLine(podman.run(podman(podman, "pull", "--tls-verify=false", remote)).stdout());
        assertThat(pulledId).as("image id after pulling back").isEqualTo(imageId);
        assertThat(podman.run(podman(podman, "image", "inspect", "--format", "{{.Digest}}", remote)).stdout().trim())
                .isEqualTo(digest);
        assertThat(podman.run(podman(podman, "image", "inspect", "--format", "{{json .RootFS.Layers}}", remote))
                .stdout()).contains(OciImages.sha256(tar));

        // A fresh storage pulls by digest and sees the same files.
        String byDigest = registry.hostPort() + "/interop/podman@" + digest;
        assertThat(lastLine(fresh.run(podman(fresh, "pull", "--tls-verify=false", byDigest)).stdout()))
                .isEqualTo(imageId);
        Path rootfs = Path.of(fresh.run(podman(fresh, "image", "mount", byDigest)).stdout().trim());
        try {
            assertThat(Files.readAllBytes(rootfs.resolve("hello.txt"))).isEqualTo(hello);
            assertThat(Files.readString(rootfs.resolve("etc/motd"))).isEqualTo("berth\n");
        } finally {
            fresh.run(podman(fresh, "image", "unmount", byDigest));
        }
    }

    @Test
    void dockerSchema2PushPullsBackToTheSameImage() throws IOException {
        try (ToolRunner podman = ToolRunner.create(tmp.resolve("podman-v2s2"));
                ToolRunner fresh = ToolRunner.create(tmp.resolve("podman-v2s2-fresh"))) {
            dockerSchema2(podman, fresh);
        }
    }

    private void dockerSchema2(ToolRunner podman, ToolRunner fresh) throws IOException {
        byte[] tar = OciImages.tar(Map.of("v2s2.txt", "docker format\n".getBytes(StandardCharsets.UTF_8)));
        Path tarball = Files.write(tmp.resolve("v2s2.tar"), tar);
        String local = "localhost/interop/v2s2:imported";
        String remote = registry.hostPort() + "/interop/podman-v2s2:v1";
        String imageId = lastLine(podman.run(podman(podman, "import", tarball.toString(), local)).stdout());

        Path digestFile = tmp.resolve("v2s2.digest");
        podman.run(podman(podman, "push", "--tls-verify=false", "--format", "v2s2", "--digestfile",
                digestFile.toString(), local, remote));
        String digest = Files.readString(digestFile).trim();

        HttpResponse<byte[]> stored = http.manifest("interop/podman-v2s2", "v1");
        assertThat(stored.headers().firstValue("Content-Type").orElse("")).startsWith(OciImages.DOCKER_MANIFEST);
        assertThat(OciImages.sha256(stored.body())).isEqualTo(digest);
        JsonNode manifest = OciImages.parse(stored.body());
        assertThat(manifest.path("mediaType").asText()).isEqualTo(OciImages.DOCKER_MANIFEST);
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(imageId);

        assertThat(lastLine(fresh.run(podman(fresh, "pull", "--tls-verify=false", remote)).stdout()))
                .as("image id pulled from the v2s2 manifest").isEqualTo(imageId);
        assertThat(fresh.run(podman(fresh, "image", "inspect", "--format", "{{.Digest}}", remote)).stdout().trim())
                .isEqualTo(digest);
    }

    /**
     * podman with its storage and engine settings in the runner's sandbox (containers.conf and storage.conf there say
     * the same; the flags make the command lines in failure messages complete), and, for push and pull, the sandbox's
     * accept-anything signature policy instead of /etc/containers/policy.json.
     */
    private static List<String> podman(ToolRunner runner, String... args) {
        List<String> command = new ArrayList<>(List.of("podman",
                "--root", runner.storageRoot().toString(),
                "--runroot", runner.storageRunRoot().toString(),
                "--storage-driver", "vfs",
                "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"));
        command.add(args[0]);
        if (args[0].equals("push") || args[0].equals("pull")) {
            command.addAll(List.of("--signature-policy", runner.policy().toString()));
        }
        command.addAll(List.of(args).subList(1, args.length));
        return command;
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        String last = lines[lines.length - 1].trim();
        return last.startsWith("sha256:") || last.isEmpty() ? last : "sha256:" + last;
    }
}
