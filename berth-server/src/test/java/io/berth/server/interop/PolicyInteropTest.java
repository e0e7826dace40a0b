package io.berth.server.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.berth.server.config.BerthConfig;
import io.berth.server.config.ConfigLoader;
import io.berth.server.interop.OciImages.Image;
import io.berth.server.testing.BerthFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import land.oras.ArtifactType;
import land.oras.ContainerRef;
import land.oras.LocalPath;
import land.oras.Registry;
import land.oras.exception.OrasException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tag immutability and quotas as real clients meet them: skopeo copies refused with the registry's explanation in
 * the error skopeo prints ("denied: tag v1 in … is immutable (immutability.rules[0]: …)"), a same-digest re-push that
 * goes through, and the ORAS Java SDK's push refused with 403.
 */
class PolicyInteropTest {
    private static final String CONFIG = """
            immutability:
              rules:
                - repositories: "release/**"
                  tags: "^v"
            quotas:
              - repositories: "tiny/**"
                bytes: 100
              - repositories: "counted/**"
                manifests: 1
            """;

    @TempDir
    static Path tmp;

    static BerthFixture registry;
    static RegistryHttp http;
    static ToolRunner tools;

    @BeforeAll
    static void start() throws Exception {
        ToolRunner.requireTool("skopeo", "skopeo");
        ToolRunner.requireTool("unshare", "util-linux");
        Path data = tmp.resolve("registry");
        Path file = Files.writeString(Files.createDirectories(tmp.resolve("config")).resolve("berth.yaml"), CONFIG);
        BerthConfig loaded = ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(data),
                Optional.of(file)), Map.of());
        registry = BerthFixture.start(data, config -> config.withImmutability(loaded.immutability())
                .withQuotas(loaded.quotas()));
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
    void skopeoMayPushAnImmutableTagsDigestAgainButIsToldWhyAnotherOneIsRefused() {
        Image first = OciImages.image("immutable first");
        Image second = OciImages.image("immutable second");
        Path firstLayout = OciImages.writeLayout(tmp.resolve("immutable-1"), "v1", first.manifest(), first.blobs());
        Path secondLayout = OciImages.writeLayout(tmp.resolve("immutable-2"), "v1", second.manifest(), second.blobs());
        String ref = docker("release/app", "v1.0");

        skopeo("copy", "--dest-tls-verify=false", "oci:" + firstLayout + ":v1", ref);
        skopeo("copy", "--dest-tls-verify=false", "oci:" + firstLayout + ":v1", ref);

        ToolRunner.Result refused = skopeoFailing("copy", "--dest-tls-verify=false", "oci:" + secondLayout + ":v1", ref);
        assertThat(refused.stderr()).contains("denied: tag v1.0 in release/app is immutable (immutability.rules[0]:"
                + " repositories release/**, tags ^v): it points at " + first.manifest().digest());
        assertThat(http.manifest("release/app", "v1.0").body()).isEqualTo(first.manifest().bytes());

        ToolRunner.Result deleteRefused = skopeoFailing("delete", "--tls-verify=false", ref);
        assertThat(deleteRefused.stderr()).contains("tag v1.0 in release/app is immutable");
        assertThat(http.manifest("release/app", "v1.0").body()).isEqualTo(first.manifest().bytes());
    }

    @Test
    void skopeoIsToldWhichQuotaItsPushWouldExceed() {
        Image image = OciImages.image("over the byte quota");
        Path layout = OciImages.writeLayout(tmp.resolve("tiny"), "v1", image.manifest(), image.blobs());
        ToolRunner.Result refused = skopeoFailing("copy", "--dest-tls-verify=false", "oci:" + layout + ":v1",
                docker("tiny/app", "v1"));
        assertThat(refused.stderr()).containsPattern("denied: quota exceeded for repository tiny/app: \\d+ B of 100 B"
                + " stored \\(quotas\\[0\\]\\); blob sha256:[0-9a-f]{64} adds [0-9.]+ (B|KiB)");

        Image one = OciImages.image("counted one");
        Image two = OciImages.image("counted two");
        skopeo("copy", "--dest-tls-verify=false",
                "oci:" + OciImages.writeLayout(tmp.resolve("counted-1"), "v1", one.manifest(), one.blobs()) + ":v1",
                docker("counted/app", "one"));
        ToolRunner.Result tooMany = skopeoFailing("copy", "--dest-tls-verify=false",
                "oci:" + OciImages.writeLayout(tmp.resolve("counted-2"), "v1", two.manifest(), two.blobs()) + ":v1",
                docker("counted/app", "two"));
        assertThat(tooMany.stderr()).contains("denied: quota exceeded for repository counted/app: 1 of 1 manifests"
                + " stored (quotas[1]); this manifest would be one more");
    }

    @Test
    void theOrasJavaSdksPushOverAQuotaOrToAnImmutableTagFailsWith403() throws Exception {
        Path file = Files.write(tmp.resolve("payload.bin"), new byte[4096]);
        Registry oras = Registry.builder().insecure().build();
        ContainerRef release = ContainerRef.parse(registry.hostPort() + "/release/oras:v2");
        ArtifactType type = ArtifactType.from("application/vnd.berth.test.bundle.v1");
        oras.pushArtifact(release, type, LocalPath.of(Files.writeString(tmp.resolve("first.txt"), "first"), "text/plain"));
        OrasException moved = catchThrowableOfType(() -> oras.pushArtifact(release, type,
                LocalPath.of(Files.writeString(tmp.resolve("second.txt"), "second"), "text/plain")), OrasException.class);
        assertThat(moved).isNotNull();
        assertThat(moved.getStatusCode()).isEqualTo(403);

        OrasException refused = catchThrowableOfType(() -> oras.pushArtifact(
                ContainerRef.parse(registry.hostPort() + "/tiny/oras:v1"),
                ArtifactType.from("application/vnd.berth.test.bundle.v1"), LocalPath.of(file, "application/octet-stream")),
                OrasException.class);
        assertThat(refused).isNotNull();
        // the SDK wraps the blob push's failure ("Failed to push layers"); the registry's answer is its cause
        Throwable cause = refused;
        while (cause != null && !(cause instanceof OrasException e && e.getStatusCode() != null && e.getStatusCode() > 0)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("an OrasException with the status in the causes of %s (cause %s)", refused,
                refused.getCause()).isInstanceOf(OrasException.class);
        assertThat(((OrasException) cause).getStatusCode()).isEqualTo(403);
    }

    private String docker(String repo, String tag) {
        return "docker://" + registry.hostPort() + "/" + repo + ":" + tag;
    }

    private ToolRunner.Result skopeo(String... args) {
        return tools.run(skopeoArgs(args));
    }

    private ToolRunner.Result skopeoFailing(String... args) {
        return tools.runExpectingFailure(skopeoArgs(args).toArray(String[]::new));
    }

    private List<String> skopeoArgs(String... args) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--policy", tools.policy().toString()));
        command.addAll(List.of(args));
        return command;
    }
}
