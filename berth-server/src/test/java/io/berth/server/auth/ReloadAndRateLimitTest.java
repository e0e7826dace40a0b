package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The htpasswd file is reloaded when it changes (a broken version is ignored); failed logins lock an address out of
 * the account, and logging in as oneself does not reset the count of guesses at another account.
 */
class ReloadAndRateLimitTest {
    @TempDir
    Path dir;

    @Test
    void htpasswdChangesTakeEffectWithoutARestartAndABrokenFileKeepsTheLastGoodOne() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd) // polling with wrong passwords must not lock us out
                .withRateLimit(new AuthConfig.RateLimit(1000, Duration.ofMinutes(1), Duration.ofMinutes(1)));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/", basic("bob", "bob-pw")).statusCode()).isEqualTo(401);

            AuthSetup.htpasswd(htpasswd, "bob", "bob-pw");
            awaitStatus(() -> http.get("/v2/", basic("bob", "bob-pw")).statusCode(), 200);
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).as("alice was removed").isEqualTo(401);

            Files.delete(htpasswd);
            Thread.sleep(2 * Security.RELOAD_MILLIS + 500);
            assertThat(http.get("/v2/", basic("bob", "bob-pw")).statusCode()).as("file gone: last good version").isEqualTo(200);
            AuthSetup.htpasswd(htpasswd, "carol", "carol-pw");
            awaitStatus(() -> http.get("/v2/", basic("carol", "carol-pw")).statusCode(), 200);
        }
    }

    @Test
    void failedLoginsLockTheAddressOutForAWhile() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withRateLimit(new AuthConfig.RateLimit(3, Duration.ofMinutes(1), Duration.ofSeconds(3)));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            for (int i = 0; i < 3; i++) {
                assertThat(http.get("/v2/", basic("alice", "guess-" + i)).statusCode()).isEqualTo(401);
            }
            HttpResponse<byte[]> locked = http.get("/v2/", basic("alice", "alice-pw"));
            HttpResponse<byte[]> lockedToken = http.get("/token?service=berth", basic("alice", "alice-pw"));

            assertThat(locked.statusCode()).as("even the right password, while locked out").isEqualTo(429);
            assertThat(AuthHttp.json(locked).path("errors").get(0).path("code").asText()).isEqualTo("TOOMANYREQUESTS");
            assertThat(Integer.parseInt(locked.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 3);
            assertThat(lockedToken.statusCode()).isEqualTo(429);
            // a token issued before keeps working: the lockout guards password checks only
            Thread.sleep(3_200);
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aSuccessfulLoginResetsTheCount() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withRateLimit(new AuthConfig.RateLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(5)));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            for (int round = 0; round < 3; round++) {
                assertThat(http.get("/v2/", basic("alice", "wrong")).statusCode()).isEqualTo(401);
                assertThat(http.get("/v2/", basic("alice", "wrong")).statusCode()).isEqualTo(401);
                assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void parallelGuessesAtOnePasswordGetNoMoreChecksThanTheLimitWhileTheGuesserLogsInAsItself() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withRateLimit(new AuthConfig.RateLimit(5, Duration.ofMinutes(1), Duration.ofMinutes(5)));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            Map<Integer, AtomicInteger> guesses = new ConcurrentHashMap<>();
            Map<Integer, AtomicInteger> aliceLogins = new ConcurrentHashMap<>();
            ExecutorService threads = Executors.newFixedThreadPool(9);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                running.add(threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        int status = http.get("/v2/", basic("bob", "guess-" + thread + "-" + i)).statusCode();
                        guesses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    }
                }));
            }
            running.add(threads.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    int status = http.get("/v2/", basic("alice", "alice-pw")).statusCode();
                    aliceLogins.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                }
            }));
            for (Future<?> future : running) {
                future.get();
            }
            threads.shutdown();

            assertThat(guesses.get(401).get()).as("password checks of bob's: %s", guesses).isBetween(1, 5);
            assertThat(guesses.get(429).get()).isEqualTo(200 - guesses.get(401).get());
            assertThat(guesses.keySet()).containsOnly(401, 429);
            assertThat(aliceLogins.keySet()).as("alice, logging in as herself: %s", aliceLogins).containsOnly(200);
            assertThat(http.get("/v2/", basic("bob", "bob-pw")).statusCode()).as("bob's account, from this address")
                    .isEqualTo(429);
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        }
    }

    static void awaitStatus(IntSupplier status, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int last = status.getAsInt();
        while (last != expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = status.getAsInt();
        }
        assertThat(last).isEqualTo(expected);
    }
}
