package io.berth.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LineWriterTest {
    @Test
    void everyLineIsWrittenInOrderAndCloseWritesWhatIsQueued() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineWriter writer = new LineWriter(out, "test-lines");
        IntStream.range(0, 5_000).forEach(i -> writer.write("line " + i));
        writer.close();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
                .containsExactlyElementsOf(IntStream.range(0, 5_000).mapToObj(i -> "line " + i).toList());
        assertThat(writer.dropped()).isZero();
    }

    @Test
    void underLoadOneWriteCarriesManyLines() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Gate gate = new Gate(release);
        LineWriter writer = new LineWriter(gate, "test-lines");
        writer.write("first");
        assertThat(gate.firstWrite.await(5, TimeUnit.SECONDS)).isTrue();
        IntStream.range(0, 1_000).forEach(i -> writer.write("queued " + i)); // while the first write waits
        release.countDown();
        writer.close();
        assertThat(gate.written.toString(StandardCharsets.UTF_8).lines()).hasSize(1_001);
        assertThat(gate.writes.get()).as("the first line, then the 1,000 queued ones in one batch").isEqualTo(2);
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LineWriter writer = new LineWriter(new Gate(release), "test-lines");
        long started = System.nanoTime();
        IntStream.range(0, 40_000).forEach(i -> writer.write("line " + i));
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("never waits").isLessThan(5);
        assertThat(writer.dropped()).as("all beyond the queue's 16,384 and the batch in the waiting write")
                .isBetween(40_000L - 16_384 - 1_024, 40_000L - 16_384);
        release.countDown();
        writer.close();
    }

    @Test
    void aFailingOutputDropsTheLinesAndCountsThem() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        LineWriter writer = new LineWriter(broken, "test-lines");
        IntStream.range(0, 10).forEach(i -> writer.write("line " + i));
        writer.close();
        writer.write("after close");
        assertThat(writer.dropped()).isEqualTo(11);
    }

    /** An output whose writes wait for {@code release}, counting them. */
    private static final class Gate extends OutputStream {
        final CountDownLatch firstWrite = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final CountDownLatch release;

        Gate(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writes.incrementAndGet();
            firstWrite.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            written.write(b, off, len);
        }
    }
}
