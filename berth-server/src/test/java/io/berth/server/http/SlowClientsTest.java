package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.http.ClientLimits;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link SlowClients} on an embedded channel with a clock of its own: which waiting counts against a body. */
class SlowClientsTest {
    private static final ClientLimits LIMITS = ClientLimits.DEFAULT.withHeaderTimeout(Duration.ofSeconds(1))
            .withMinBodyRate(1024, Duration.ofSeconds(10));

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final SlowClients slowClients = new SlowClients(channel, LIMITS);

    private void pass(long millis) {
        for (long t = 0; t < millis; t += 100) {
            channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
    }

    @Test
    void aHeadNotCompleteWithinTheTimeoutClosesTheConnection() {
        slowClients.headStarted();
        pass(900);
        assertThat(channel.isOpen()).isTrue();
        pass(200);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aHeadIsNotTimedOutWhileTheServerDoesNotRead() {
        slowClients.headStarted();
        channel.config().setAutoRead(false); // e.g. a pipelined request behind a long download
        pass(30_000);
        assertThat(channel.isOpen()).isTrue();
        channel.config().setAutoRead(true);
        pass(1_100);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aCompleteHeadStopsTheClock() {
        slowClients.headStarted();
        pass(900);
        slowClients.headDone();
        pass(5000);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aBodyBelowTheRateOverAWindowOfWaitingClosesTheConnection() {
        slowClients.headDone();
        slowClients.bodyAwaited();
        slowClients.bodyRead(10 * 1024 - 1);
        pass(9_900);
        assertThat(channel.isOpen()).isTrue();
        pass(200);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodyAtTheRateKeepsTheConnection() {
        slowClients.bodyAwaited();
        for (int second = 0; second < 60; second++) {
            slowClients.bodyRead(1024);
            pass(1000);
        }
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void timeInWhichTheServerDoesNotReadDoesNotCount() {
        slowClients.bodyAwaited();
        channel.config().setAutoRead(false); // Vert.x applies back-pressure
        pass(60_000);
        channel.config().setAutoRead(true);
        pass(9_000);
        assertThat(channel.isOpen()).isTrue();
        pass(1_200);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void afterTheBodyNothingCountsWhileTheResponseIsWritten() {
        slowClients.bodyAwaited();
        slowClients.bodyRead(100);
        slowClients.bodyDone();
        pass(120_000);
        assertThat(channel.isOpen()).isTrue();
    }
}
