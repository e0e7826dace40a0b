package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.auth.AuthConfig.RateLimit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The throttle counts failures per account and address, per account and per address (see {@link LoginThrottle}). */
class LoginThrottleTest {
    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    final HandClock clock = new HandClock();
    final LoginThrottle throttle = new LoginThrottle(new RateLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(10)), clock);

    private void fail(String user, String client) {
        assertThat(throttle.admit(user, client)).as("%s from %s let through", user, client).isEmpty();
        throttle.failed(user, client);
    }

    private void succeed(String user, String client) {
        assertThat(throttle.admit(user, client)).as("%s from %s let through", user, client).isEmpty();
        throttle.succeeded(user, client);
    }

    @Test
    void failuresLockOnlyThatAddressOutOfThatAccount() {
        for (int i = 0; i < 3; i++) {
            fail("bob", "10.0.0.1");
        }

        assertThat(throttle.admit("bob", "10.0.0.1")).hasValue(Duration.ofMinutes(10));
        succeed("bob", "10.0.0.2");
        succeed("alice", "10.0.0.1");
        assertThat(throttle.admit("bob", "10.0.0.1")).as("no success unlocks it").isPresent();
        clock.advance(Duration.ofMinutes(10));
        succeed("bob", "10.0.0.1");
    }

    @Test
    void aSuccessForgetsOnlyItsOwnAccountsFailures() {
        fail("bob", "10.0.0.1");
        fail("bob", "10.0.0.1");
        succeed("alice", "10.0.0.1");
        fail("bob", "10.0.0.1");
        assertThat(throttle.admit("bob", "10.0.0.1")).as("alice's login bought no guess at bob's password").isPresent();

        fail("carol", "10.0.0.1");
        fail("carol", "10.0.0.1");
        succeed("carol", "10.0.0.1");
        fail("carol", "10.0.0.1");
        fail("carol", "10.0.0.1");
        succeed("carol", "10.0.0.1");
    }

    @Test
    void guessesFromManyAddressesLockTheAccountForNoLongerThanTheWindow() {
        for (int address = 1; address <= LoginThrottle.ACCOUNT_FACTOR; address++) {
            for (int i = 0; i < 3; i++) {
                fail("bob", "10.0.1." + address);
            }
        }

        Optional<Duration> locked = throttle.admit("bob", "192.0.2.7");
        assertThat(locked).as("the real bob, from elsewhere").isPresent();
        assertThat(locked.get()).isLessThanOrEqualTo(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        succeed("bob", "192.0.2.7");
        assertThat(throttle.admit("bob", "10.0.1.1")).as("the guessing addresses stay locked").isPresent();
    }

    @Test
    void oneAddressTryingManyNamesIsLockedOutOfEveryAccount() {
        for (int i = 0; i < 3 * LoginThrottle.ADDRESS_FACTOR; i++) {
            fail("user" + i, "10.0.0.9");
        }

        assertThat(throttle.admit("someone-else", "10.0.0.9")).hasValue(Duration.ofMinutes(10));
        succeed("someone-else", "10.0.0.10");
    }

    @Test
    void parallelGuessesGetNoMoreChecksThanTheLimit() throws Exception {
        AtomicInteger checked = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger aliceLoggedIn = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            boolean alsoAlice = t == 0; // alice logs in from the same address, one login at a time
            threads.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200; i++) {
                    if (throttle.admit("bob", "10.0.0.1").isPresent()) {
                        refused.incrementAndGet();
                    } else {
                        checked.incrementAndGet();
                        Thread.yield();
                        throttle.failed("bob", "10.0.0.1");
                    }
                    if (alsoAlice && throttle.admit("alice", "10.0.0.1").isEmpty()) {
                        throttle.succeeded("alice", "10.0.0.1");
                        aliceLoggedIn.incrementAndGet();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(checked.get()).isEqualTo(3);
        assertThat(refused.get()).isEqualTo(8 * 200 - 3);
        assertThat(aliceLoggedIn.get()).isEqualTo(200);
    }
}
