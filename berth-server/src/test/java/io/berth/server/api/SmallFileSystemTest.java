package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCTET_STREAM;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.randomBytes;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry on a real 24 MiB file system (tmpfs) that fills up: blobs and SQLite alike. Needs {@code mount}, which
 * root has on most machines but not in every container or CI runner: without it the test is skipped, and says why.
 * Pushes until the disk is full, then checks that the failing push was answered 507 "storage is full" (not 500),
 * that every acknowledged blob reads back whole, that no upload file is left, and that pushes succeed again as soon as
 * space is freed, without a restart.
 */
class SmallFileSystemTest {
    private static final Logger LOG = LoggerFactory.getLogger(SmallFileSystemTest.class);
    private static final String REPO = "small/disk";

    @TempDir
    Path work;
    private Path mount;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = Files.createDirectory(work.resolve("tmpfs"));
        Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String output;
        boolean finished = process.waitFor(10, TimeUnit.SECONDS);
        output = new String(process.getInputStream().readAllBytes()).strip();
        if (!finished || process.exitValue() != 0) {
            String reason = "cannot mount a small tmpfs here (" + (finished ? output : "mount did not finish")
                    + "): the disk-full test on a real file system is skipped; StorageFaultsTest injects the fault instead";
            LOG.warn(reason);
            mount = null;
            Assumptions.abort(reason);
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullFileSystemAnswers507KeepsWhatWasAcknowledgedAndHealsWhenSpaceIsFreed() throws Exception {
        Path data = mount.resolve("data");
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[8 << 20]);
        // No reserve and no re-check: the pushes meet the full disk themselves.
        try (BerthFixture registry = BerthFixture.start(data, config -> config.withStorage(config.storage()
                .withMinFreeSpace(0).withCheckInterval(Duration.ofHours(1))))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            List<byte[]> acknowledged = new ArrayList<>();
            HttpResponse<byte[]> failed = null;
            for (int i = 0; i < 100 && failed == null; i++) {
                byte[] blob = randomBytes(1 << 20);
                HttpResponse<byte[]> push = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob),
                        blob, "Content-Type", OCTET_STREAM);
                if (push.statusCode() == 201) {
                    acknowledged.add(blob);
                } else {
                    failed = push;
                }
            }
            assertThat(failed).as("the disk filled up").isNotNull();
            LOG.info("disk full after {} blobs of 1 MiB: {} {}", acknowledged.size(), failed.statusCode(), body(failed));
            assertError(failed, 507, "DENIED");
            assertThat(json(failed).at("/errors/0/message").asText()).isEqualTo("storage is full");

            for (byte[] blob : acknowledged) {
                HttpResponse<byte[]> read = http.get("/v2/" + REPO + "/blobs/" + sha256(blob));
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(sha256(read.body())).isEqualTo(sha256(blob));
            }
            try (Stream<Path> uploads = Files.list(data.resolve("uploads"))) {
                assertThat(uploads.map(Path::getFileName).map(Path::toString).filter(n -> !n.startsWith(".")))
                        .as("no half-written upload left").isEmpty();
            }

            long freed = System.nanoTime();
            Files.delete(filler);
            byte[] blob = randomBytes(1 << 20);
            HttpResponse<byte[]> push = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob),
                    blob, "Content-Type", OCTET_STREAM);
            assertThat(push.statusCode()).as("after freeing space: %s", body(push)).isEqualTo(201);
            http.pushImage(REPO, "after");
            LOG.info("pushes succeed again {} ms after space was freed",
                    (System.nanoTime() - freed) / 1_000_000);
        }
    }
}
