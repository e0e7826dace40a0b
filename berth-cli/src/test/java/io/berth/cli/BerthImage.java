package io.berth.cli;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The container image of Berth itself, built with Jib into a tar that {@code docker load}, {@code podman load} and
 * {@code skopeo copy docker-archive:…} take: no Docker daemon. The base is any image with a Java 17+ runtime on the
 * PATH ({@code eclipse-temurin:17-jre} by default; {@code tar:///path/base.tar} for one saved to a file).
 *
 * <p>The image runs {@code berth serve} as the non-root user {@value #USER} on {@code 0.0.0.0:5000} with its data in
 * the volume {@value #DATA}, a directory the image creates owned by that user (a runtime would create a missing mount
 * point owned by root, which the registry could not write). Arguments replace {@code serve}: {@code docker run IMAGE
 * serve --config /etc/berth.yaml}, or any other verb ({@code IMAGE ls --plain-http host:5000}). It is built by the
 * {@code image} profile: {@code ./mvnw -Pimage -DskipTests package [-Dberth.image.base=…]}.
 *
 * <p>It lives with the tests because jib-core is a test dependency: the shaded berth.jar does not carry Jib.
 */
final class BerthImage {
    static final String DEFAULT_BASE = "eclipse-temurin:17-jre";
    static final String USER = "65532:65532";
    static final String DATA = "/var/lib/berth";
    static final String JAR = "/app/berth.jar";
    static final int PORT = 5000;
    /** bin/berth's settings, less its experimental native-heap trim that not every Java 17 runtime has. */
    static final List<String> ENTRYPOINT = List.of("java", "-XX:+UseSerialGC", "-Xms32m", "-Xmx64m", "-Xmn12m",
            "-XX:SurvivorRatio=4", "-XX:MaxDirectMemorySize=128m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError", "-jar", JAR);

    private BerthImage() {
    }

    /**
     * Builds the image from {@code jar} on {@code base} into {@code output}, named {@code name}; {@code licenses} holds
     * LICENSE and NOTICE, which the image carries next to the jar; Jib keeps its layers under {@code cache}.
     */
    static JibContainer build(Path jar, Path licenses, String base, Path output, String name, Path cache)
            throws Exception {
        Path emptyDirectory = Files.createTempDirectory("berth-image-volume");
        try {
            Instant epoch = Instant.EPOCH; // reproducible: the same jar on the same base gives the same image
            FileEntriesLayer application = FileEntriesLayer.builder().setName("berth")
                    .addEntry(jar, AbsoluteUnixPath.get(JAR), FilePermissions.fromOctalString("644"), epoch)
                    .addEntry(licenses.resolve("LICENSE"), AbsoluteUnixPath.get("/app/LICENSE"))
                    .addEntry(licenses.resolve("NOTICE"), AbsoluteUnixPath.get("/app/NOTICE"))
                    .build();
            FileEntriesLayer volume = FileEntriesLayer.builder().setName("data")
                    .addEntry(emptyDirectory, AbsoluteUnixPath.get(DATA), FilePermissions.fromOctalString("750"), epoch,
                            USER)
                    .build();
            Files.createDirectories(output.toAbsolutePath().getParent());
            Containerizer to = Containerizer.to(TarImage.at(output).named(name))
                    .setToolName("berth-image")
                    .setBaseImageLayersCache(cache.resolve("base"))
                    .setApplicationLayersCache(cache.resolve("application"))
                    .addEventHandler(LogEvent.class, event -> {
                        if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
                            System.err.println("jib: " + event.getMessage());
                        }
                    });
            return Jib.from(base)
                    .addFileEntriesLayer(volume)
                    .addFileEntriesLayer(application)
                    .setEntrypoint(ENTRYPOINT)
                    .setProgramArguments("serve")
                    .setEnvironment(Map.of("BERTH_LISTEN", "0.0.0.0:" + PORT, "BERTH_DATA", DATA, "MALLOC_ARENA_MAX", "2"))
                    .addVolume(AbsoluteUnixPath.get(DATA))
                    .addExposedPort(Port.tcp(PORT))
                    .setUser(USER)
                    .setWorkingDirectory(AbsoluteUnixPath.get(DATA))
                    .addLabel("org.opencontainers.image.title", "Berth")
                    .addLabel("org.opencontainers.image.description", "An OCI artifact registry that understands what it stores.")
                    .addLabel("org.opencontainers.image.licenses", "Apache-2.0")
                    .addLabel("org.opencontainers.image.version", BuildInfo.current().version())
                    .addLabel("org.opencontainers.image.revision", BuildInfo.current().commit())
                    .containerize(to);
        } finally {
            Files.deleteIfExists(emptyDirectory);
        }
    }

    /** {@code BerthImage JAR LICENSE-DIRECTORY BASE OUTPUT-TAR NAME CACHE}: what the {@code image} profile runs. */
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: BerthImage JAR LICENSE-DIRECTORY BASE OUTPUT-TAR NAME CACHE-DIRECTORY");
            System.exit(2);
        }
        JibContainer image = build(Path.of(args[0]), Path.of(args[1]), args[2], Path.of(args[3]), args[4],
                Path.of(args[5]));
        System.out.println("berth image " + args[4] + " (" + image.getDigest() + ") written to " + args[3]
                + "; load it with: docker load -i " + args[3]);
    }
}
