package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.berth.server.auth.AuthConfig;
import io.berth.server.interop.OciImages;
import io.berth.server.interop.ToolRunner;
import io.berth.server.testing.BerthFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import land.oras.ArtifactType;
import land.oras.ContainerRef;
import land.oras.LocalPath;
import land.oras.Manifest;
import land.oras.Registry;
import land.oras.auth.UsernamePasswordProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against a registry with authorization: skopeo with {@code --creds}/{@code --dest-creds}, podman login
 * + push/pull, and oras-java with credentials, each going through the bearer challenge and the token endpoint.
 * Alice may do everything under {@code interop/}, bob may only pull there, the robot may push to
 * {@code interop/ci/}; anonymous callers may only pull {@code interop/public/}.
 */
class AuthInteropTest {
    static final String ALICE = "alice:alice-pw";
    static final String BOB = "bob:bob-pw";
    static final String ROBOT = "robot$ci:ci-robot-token";

    @TempDir
    static Path tmp;
    static BerthFixture registry;
    static AuthHttp http;

    @BeforeAll
    static void start() {
        Path htpasswd = AuthSetup.htpasswd(tmp.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(AuthSetup.users("interop/**", List.of("alice"), "*"),
                        AuthSetup.users("interop/**", List.of("bob"), "pull"),
                        AuthSetup.anonymous("interop/public/**", "pull")))
                .withRobots(List.of(AuthSetup.robot("ci", "ci-robot-token",
                        AuthSetup.users("interop/ci/**", List.of(), "pull", "push"))));
        registry = BerthFixture.start(tmp.resolve("registry"), c -> c.withAuth(auth));
        http = new AuthHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static String docker(String repository, String tag) {
        return "docker://" + registry.hostPort() + "/" + repository + ":" + tag;
    }

    static List<String> skopeo(ToolRunner tools, String... args) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--policy", tools.policy().toString(),
                "--registries-conf", tools.dir().resolve("registries.conf").toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void skopeoPushesAndPullsWithCredentialsAndIsRefusedWithout() throws IOException {
        ToolRunner.requireTool("skopeo", "skopeo");
        try (ToolRunner tools = ToolRunner.create(tmp.resolve("skopeo"))) {
            OciImages.Image image = OciImages.image("skopeo with credentials");
            Path source = OciImages.writeLayout(tmp.resolve("skopeo-src"), "v1", image.manifest(), image.blobs());

            String anonymous = tools.runExpectingFailure(skopeo(tools, "copy", "--dest-tls-verify=false",
                    "oci:" + source + ":v1", docker("interop/skopeo", "v1")).toArray(String[]::new)).stderr();
            assertThat(anonymous).as("a HEAD's 401 has no body: containers/image words it as denied").contains("401");
            String reader = tools.runExpectingFailure(skopeo(tools, "copy", "--dest-creds", BOB, "--dest-tls-verify=false",
                    "oci:" + source + ":v1", docker("interop/skopeo", "v1")).toArray(String[]::new)).stderr();
            assertThat(reader).containsIgnoringCase("denied");

            tools.run(skopeo(tools, "copy", "--dest-creds", ALICE, "--dest-tls-verify=false", "oci:" + source + ":v1",
                    docker("interop/skopeo", "v1")));
            HttpResponse<byte[]> stored = http.send("GET", "/v2/interop/skopeo/manifests/v1", null, basic("bob", "bob-pw"),
                    "Accept", OciImages.OCI_MANIFEST);
            assertThat(stored.body()).isEqualTo(image.manifest().bytes());

            Path back = tmp.resolve("skopeo-back");
            tools.run(skopeo(tools, "copy", "--src-creds", BOB, "--src-tls-verify=false", docker("interop/skopeo", "v1"),
                    "oci:" + back + ":v1"));
            assertThat(OciImages.readBlobs(back)).containsAllEntriesOf(blobs(image));
            String inspect = tools.run(skopeo(tools, "inspect", "--raw", "--creds", BOB, "--tls-verify=false",
                    docker("interop/skopeo", "v1"))).stdout();
            assertThat(inspect.getBytes(StandardCharsets.UTF_8)).isEqualTo(image.manifest().bytes());

            // registry to registry within Berth: a cross-repository mount with a token for both repositories
            tools.run(skopeo(tools, "copy", "--src-creds", ALICE, "--dest-creds", ALICE, "--src-tls-verify=false",
                    "--dest-tls-verify=false", docker("interop/skopeo", "v1"), docker("interop/skopeo-copy", "v1")));
            assertThat(http.send("GET", "/v2/interop/skopeo-copy/manifests/v1", null, basic("alice", "alice-pw"),
                    "Accept", OciImages.OCI_MANIFEST).body()).isEqualTo(image.manifest().bytes());

            // the robot, with its token as the password, where its policy allows
            tools.run(skopeo(tools, "copy", "--dest-creds", ROBOT, "--dest-tls-verify=false", "oci:" + source + ":v1",
                    docker("interop/ci/app", "build-1")));
            tools.runExpectingFailure(skopeo(tools, "copy", "--dest-creds", ROBOT, "--dest-tls-verify=false",
                    "oci:" + source + ":v1", docker("interop/other", "v1")).toArray(String[]::new));

            // anonymous pull where a policy allows it: an anonymous token from the token endpoint
            tools.run(skopeo(tools, "copy", "--dest-creds", ALICE, "--dest-tls-verify=false", "oci:" + source + ":v1",
                    docker("interop/public/app", "v1")));
            assertThat(tools.run(skopeo(tools, "inspect", "--raw", "--tls-verify=false", docker("interop/public/app", "v1")))
                    .stdout().getBytes(StandardCharsets.UTF_8)).isEqualTo(image.manifest().bytes());
            tools.runExpectingFailure(skopeo(tools, "inspect", "--raw", "--tls-verify=false",
                    docker("interop/skopeo", "v1")).toArray(String[]::new));

            tools.run(skopeo(tools, "delete", "--creds", ALICE, "--tls-verify=false", docker("interop/skopeo-copy", "v1")));
            tools.runExpectingFailure(skopeo(tools, "delete", "--creds", BOB, "--tls-verify=false",
                    docker("interop/skopeo", "v1")).toArray(String[]::new));
        }
    }

    private static Map<String, byte[]> blobs(OciImages.Image image) {
        Map<String, byte[]> blobs = new java.util.HashMap<>();
        image.blobs().forEach(b -> blobs.put(OciImages.sha256(b.bytes()), b.bytes()));
        return blobs;
    }

    @Test
    void podmanLogsInPushesAndPulls() throws IOException {
        ToolRunner.requireTool("podman", "podman");
        if (!onPath("crun") && !onPath("runc")) {
            fail("podman needs an OCI runtime even to push and pull: apt-get install -y crun");
        }
        try (ToolRunner podman = ToolRunner.create(tmp.resolve("podman"))) {
            byte[] tar = OciImages.tar(Map.of("hello.txt", "hello with credentials\n".getBytes(StandardCharsets.UTF_8)));
            Path tarball = Files.write(tmp.resolve("rootfs.tar"), tar);
            String local = "localhost/interop/auth:imported";
            String remote = registry.hostPort() + "/interop/podman:v1";
            podman.run(podman(podman, "import", tarball.toString(), local));

            String refused = podman.runExpectingFailure(podman(podman, "push", "--tls-verify=false", local, remote)
                    .toArray(String[]::new)).stderr();
            assertThat(refused).contains("401");
            podman.runExpectingFailure(podman(podman, "login", "--tls-verify=false", "-u", "alice", "-p", "wrong",
                    registry.hostPort()).toArray(String[]::new));
            String login = podman.run(podman(podman, "login", "--tls-verify=false", "-u", "alice", "-p", "alice-pw",
                    registry.hostPort())).stdout();
            assertThat(login).contains("Login Succeeded");

            Path digestFile = tmp.resolve("podman.digest");
            podman.run(podman(podman, "push", "--tls-verify=false", "--digestfile", digestFile.toString(), local, remote));
            String digest = Files.readString(digestFile).trim();
            HttpResponse<byte[]> stored = http.send("GET", "/v2/interop/podman/manifests/v1", null,
                    basic("alice", "alice-pw"), "Accept", String.join(",", OciImages.OCI_MANIFEST, OciImages.DOCKER_MANIFEST));
            assertThat(OciImages.sha256(stored.body())).isEqualTo(digest);

            podman.run(podman(podman, "rmi", local));
            podman.run(podman(podman, "pull", "--tls-verify=false", remote));
            assertThat(podman.run(podman(podman, "image", "inspect", "--format", "{{.Digest}}", remote)).stdout().trim())
                    .isEqualTo(digest);

            podman.run(podman(podman, "logout", registry.hostPort()));
            podman.run(podman(podman, "rmi", remote));
            assertThat(podman.runExpectingFailure(podman(podman, "pull", "--tls-verify=false", remote)
                    .toArray(String[]::new)).stderr()).containsAnyOf("401", "authentication required");
        }
    }

    private static boolean onPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        return java.util.Arrays.stream(path.split(":")).anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, binary)));
    }

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

    @Test
    void orasJavaPushesAndPullsWithCredentials() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("oras-in"));
        byte[] payload = "an artifact behind a login\n".getBytes(StandardCharsets.UTF_8);
        Files.write(in.resolve("notes.txt"), payload);
        ContainerRef ref = ContainerRef.parse(registry.hostPort() + "/interop/oras:v1");
        Registry alice = Registry.builder().insecure().withAuthProvider(new UsernamePasswordProvider("alice", "alice-pw")).build();
        Registry bob = Registry.builder().insecure().withAuthProvider(new UsernamePasswordProvider("bob", "bob-pw")).build();
        Registry nobody = Registry.builder().insecure().build();

        Manifest pushed = alice.pushArtifact(ref, ArtifactType.from("application/vnd.berth.test.v1"),
                LocalPath.of(in.resolve("notes.txt"), "text/plain"));

        Path out = Files.createDirectories(tmp.resolve("oras-out"));
        bob.pullArtifact(ref, out, true);
        assertThat(Files.readAllBytes(out.resolve("notes.txt"))).isEqualTo(payload);
        assertThat(bob.getManifest(ref).getDescriptor().getDigest()).isEqualTo(pushed.getDescriptor().getDigest());
        assertThat(failure(() -> nobody.getManifest(ref))).as("anonymous pull").isNotNull();
        assertThat(failure(() -> bob.pushArtifact(ContainerRef.parse(registry.hostPort() + "/interop/oras:bob"),
                ArtifactType.from("application/vnd.berth.test.v1"), LocalPath.of(in.resolve("notes.txt"), "text/plain"))))
                .as("a reader's push").isNotNull();
    }

    private static Throwable failure(Runnable action) {
        try {
            action.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
