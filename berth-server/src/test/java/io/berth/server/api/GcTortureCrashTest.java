package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.ChildServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torture with {@code kill -9}: the server runs as a child process ({@link ChildServer}); pushers, a deleter and
 * a puller work on it while a {@link Crasher} fills it with garbage, starts a collection and kills the server in its
 * middle — early (the mark), in the first sweep batch, half-way through the sweep, after the sweep (links, repair) — and
 * starts it again on the same data. What each kill left behind ({@code deleting} rows, rows without a file) is read
 * from the database while the server is down, a file without a row is planted, and the first collection after the
 * restart must repair all of it. At the end, the torture's invariants ({@link Torture#verify}): nothing acknowledged
 * is lost, nothing deleted is left, and the blob rows are exactly the blob files.
 */
class GcTortureCrashTest {
    private static final Duration GRACE = Duration.ofMillis(400);
    private static final int KILLS = Integer.getInteger("berth.torture.kills", 4);

    @TempDir
    Path temp;

    @Test
    void collectionsKilledAtAnyPointLoseNothingAcknowledgedAndTheNextRunRepairs() throws Exception {
        Path data = temp.resolve("data");
        Files.createDirectories(data);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Crasher crasher = new Crasher(data, port);
        crasher.server = ChildServer.start(data, port, GRACE);
        try {
            RegistryHttp http = new RegistryHttp(crasher.server.baseUri());
            Torture torture = new Torture(http, data, GRACE,
                    ChildServer.UPLOADS_EXPIRE_AFTER.multipliedBy(2), true);
            List<Torture.Actor> actors = new ArrayList<>();
            actors.add(new TortureActors.Pusher(0));
            actors.add(new TortureActors.Pusher(1));
            actors.add(new TortureActors.Deleter());
            actors.add(new TortureActors.Puller());
            actors.add(crasher);
            torture.run(actors, Duration.ofSeconds(150));

            assertThat(crasher.kills).as("kills").isEqualTo(KILLS);
            assertThat(crasher.left.get("'deleting' rows")).as("what the kills left: %s", crasher.left).isPositive();
            torture.verify();
            assertThat(rows(data)).as("blob rows after the last collection: exactly the files")
                    .isEqualTo(torture.blobFiles());
            System.out.println("torture with kill -9: " + crasher.kills + " kills left " + crasher.left
                    + ", each repaired by the next collection");
        } finally {
            crasher.server.kill();
        }
    }

    /**
     * Each step: pushes {@value #GARBAGE} blobs that nothing references, waits for the grace period, starts a
     * collection, kills the server at the step's point of it, reads what the kill left, plants an orphan file, starts
     * the server again and runs one collection, which must repair everything. Stops the torture after {@link #KILLS}.
     */
    static final class Crasher implements Torture.Actor {
        static final int GARBAGE = 40;
        final Path data;
        final int port;
        volatile ChildServer server;
        int kills;
        final Map<String, Long> left = new TreeMap<>();

        Crasher(Path data, int port) {
            this.data = data;
            this.port = port;
        }

        @Override
        public String name() {
            return "crasher";
        }

        private long t0 = System.nanoTime();

        private void log(String what) {
            System.out.printf("crasher %6.1f s: %s%n", (System.nanoTime() - t0) / 1e9, what);
        }

        @Override
        public void step(Torture torture, Random random) throws Exception {
            log("step, kill " + (kills + 1));
            List<String> garbage = new ArrayList<>();
            for (int i = 0; i < GARBAGE; i++) {
                byte[] content = RegistryHttp.randomBytes(200 + random.nextInt(2000));
                garbage.add(torture.http.pushBlob("torture/garbage", content).digest());
            }
            garbage.sort(String::compareTo);
            Torture.sleep(GRACE.toMillis() + 50);
            Thread collection = new Thread(() -> {
                try {
                    torture.http.post("/api/v1/admin/gc");
                } catch (RuntimeException killed) {
                    // the server died under it: the point
                }
            });
            collection.start();
            int point = kills % 4;
            switch (point) {
                case 0 -> Thread.sleep(random.nextInt(15));
                case 1 -> awaitGone(garbage.subList(0, 1));
                case 2 -> awaitGone(garbage.subList(0, GARBAGE / 2));
                default -> {
                    awaitGone(garbage);
                    Thread.sleep(random.nextInt(10));
                }
            }
            log("killing at point " + point);
            server.kill();
            collection.join();
            kills++;
            torture.count("kills");
            Map<String, Long> state = inspect(data);
            state.forEach((what, n) -> left.merge(what, n, Long::sum));
            Path orphan = plantOrphan(random);

            server = ChildServer.start(data, port, GRACE);
            log("restarted");
            JsonNode report = collectAfterRestart(torture);
            Torture.expect(report.get("missingFiles").asLong() == 0, "missing files after kill " + kills + ": " + report);
            Torture.expect(!Files.exists(orphan), "the orphan file planted at kill " + kills + " is still there");
            Map<String, Long> after = inspect(data);
            Torture.expect(after.getOrDefault("'deleting' rows", 0L) == 0,
                    "after kill " + kills + " at point " + point + " the next run left " + after);
            log("repaired: " + report);
            if (kills == KILLS) {
                torture.stop();
            }
        }

        /** Waits (at most 10 s) until the files of {@code digests} are gone: the collection has swept them. */
        private void awaitGone(List<String> digests) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (String digest : digests) {
                Path file = file(digest);
                while (Files.exists(file) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
        }

        private Path file(String digest) {
            String hex = digest.substring("sha256:".length());
            return data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
        }

        /** A blob file without a row, older than the grace period, as a crash of an older version could leave. */
        private Path plantOrphan(Random random) throws IOException {
            byte[] content = new byte[300];
            random.nextBytes(content);
            Path orphan = file(RegistryHttp.sha256(content));
            Files.createDirectories(orphan.getParent());
            Files.write(orphan, content);
            Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minusSeconds(60)));
            return orphan;
        }

        /** The first collection after a restart; its first request may meet a connection of the killed server. */
        private static JsonNode collectAfterRestart(Torture torture) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return GarbageCollectionTest.collect(torture.http, false);
                } catch (UncheckedIOException staleConnection) {
                    if (attempt == 10) {
                        throw staleConnection;
                    }
                }
            }
        }

        /** What the database says, read while the server is down: rows {@code deleting}, rows without a file. */
        private Map<String, Long> inspect(Path data) throws SQLException {
            Map<String, Long> state = new TreeMap<>();
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("berth.db"));
                 ResultSet rows = connection.createStatement().executeQuery("SELECT digest, state FROM blobs")) {
                while (rows.next()) {
                    if (rows.getString(2).equals("deleting")) {
                        state.merge("'deleting' rows", 1L, Long::sum);
                    } else if (!Files.exists(file(rows.getString(1)))) {
                        state.merge("live rows without a file", 1L, Long::sum);
                    }
                }
            }
            return state;
        }
    }

    /** The digests of the blob rows. */
    private static TreeSet<String> rows(Path data) throws SQLException {
        TreeSet<String> digests = new TreeSet<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("berth.db"));
             ResultSet rows = connection.createStatement().executeQuery("SELECT digest FROM blobs")) {
            while (rows.next()) {
                digests.add(rows.getString(1));
            }
        }
        return digests;
    }
}
