package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth's container image, built by {@link BerthImage} with Jib into a tar (no Docker daemon) from the packaged jar,
 * loaded with skopeo into a running Berth and read back from it: it runs {@code berth serve} on 0.0.0.0:5000 as a
 * non-root user with its data in a volume that user owns, exposes 5000/tcp, and carries the packaged jar.
 *
 * <p>The base is one the test makes (no image can be pulled here): a layer standing for a Java runtime, saved as a tar
 * and passed as {@code tar://…}, the form {@code -Dberth.image.base} takes for a saved base. The image is not run:
 * podman's runtime cannot start containers on this kind of machine (crun may not set resource limits).
 */
class ImagePackageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theImageServesAsANonRootUserOnPort5000WithAVolume() throws Exception {
        Path jar = PackagedFiles.jar();
        Path base = baseImage();
        Path image = dir.resolve("berth-image.tar");
        BerthImage.build(jar, Path.of("..").toAbsolutePath().normalize(), "tar://" + base, image, "berth/berth:test",
                dir.resolve("jib-cache"));

        Path data = Files.createDirectories(dir.resolve("registry"));
        ServerProcess registry = ServerProcess.start(ServerProcess.freePort(), data);
        try {
            String target = registry.uri("").getAuthority() + "/berth/berth:test";
            skopeo("copy", "--dest-tls-verify=false", "docker-archive:" + image, "docker://" + target);

            JsonNode manifest = JSON.readTree(get(registry, "/v2/berth/berth/manifests/test",
                    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"));
            JsonNode config = JSON.readTree(get(registry, "/v2/berth/berth/blobs/"
                    + manifest.path("config").path("digest").asText(), "*/*")).path("config");

            assertThat(strings(config.path("Entrypoint"))).isEqualTo(BerthImage.ENTRYPOINT)
                    .startsWith("java").endsWith("-jar", "/app/berth.jar");
            assertThat(strings(config.path("Cmd"))).containsExactly("serve");
            assertThat(strings(config.path("Env"))).contains("BERTH_LISTEN=0.0.0.0:5000", "BERTH_DATA=/var/lib/berth")
                    .anyMatch(env -> env.startsWith("PATH=") && env.contains("/opt/java/openjdk/bin"));
            assertThat(config.path("User").asText()).isEqualTo("65532:65532");
            assertThat(config.path("ExposedPorts").has("5000/tcp")).isTrue();
            assertThat(config.path("Volumes").has("/var/lib/berth")).isTrue();
            assertThat(config.path("Labels").path("org.opencontainers.image.licenses").asText()).isEqualTo("Apache-2.0");

            Map<String, TarArchiveEntry> entries = new HashMap<>();
            String jarDigest = null;
            for (JsonNode layer : manifest.path("layers")) {
                byte[] blob = get(registry, "/v2/berth/berth/blobs/" + layer.path("digest").asText(), "*/*");
                try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(blob)))) {
                    for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                        String name = entry.getName().replaceAll("^\\./|/$", "");
                        entries.put(name, entry);
                        if (name.equals("app/berth.jar")) {
                            jarDigest = ServerProcess.sha256(tar.readAllBytes());
                        }
                    }
                }
            }
            assertThat(entries).containsKeys("opt/java/openjdk/release", "app/berth.jar", "app/LICENSE", "app/NOTICE",
                    "var/lib/berth");
            assertThat(jarDigest).as("the packaged jar").isEqualTo(PackagedFiles.sha256(jar));
            TarArchiveEntry volume = entries.get("var/lib/berth");
            assertThat(volume.isDirectory()).isTrue();
            assertThat(volume.getLongUserId()).as("the volume's owner is the user the registry runs as").isEqualTo(65532);
        } finally {
            registry.process().destroy();
        }
    }

    /** A stand-in for a Java runtime base image (what eclipse-temurin:17-jre is for the real build), saved to a tar. */
    private Path baseImage() throws Exception {
        Path runtime = Files.createDirectories(dir.resolve("base-src"));
        Path release = Files.writeString(runtime.resolve("release"), "JAVA_VERSION=\"17\"\n");
        Path tar = dir.resolve("base.tar");
        Jib.fromScratch()
                .addLayer(List.of(release), AbsoluteUnixPath.get("/opt/java/openjdk"))
                .addEnvironmentVariable("PATH", "/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .containerize(Containerizer.to(TarImage.at(tar).named("test/java-runtime:17"))
                        .setBaseImageLayersCache(dir.resolve("jib-cache/base"))
                        .setApplicationLayersCache(dir.resolve("jib-cache/application")));
        return tar;
    }

    private void skopeo(String... args) throws Exception {
        Path sandbox = Files.createDirectories(dir.resolve("skopeo"));
        Files.writeString(sandbox.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        List<String> command = new ArrayList<>(List.of("skopeo", "--policy", sandbox.resolve("policy.json").toString()));
        command.addAll(List.of(args));
        PackagedFiles.run(command, Map.of("HOME", sandbox.toString(), "REGISTRY_AUTH_FILE", sandbox.resolve("auth.json").toString(),
                "TMPDIR", sandbox.toString()));
    }

    private static byte[] get(ServerProcess registry, String path, String accept) throws Exception {
        HttpResponse<byte[]> response = ServerProcess.HTTP.send(HttpRequest.newBuilder(registry.uri(path))
                .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return response.body();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
