package io.berth.bench;

import static io.berth.bench.Pushed.TAGS_REPO;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opt-in, Berth only (issue #21): what 20,000 idle connections — connections that never send a byte, from 40
 * loopback addresses, or as many as this process's file-descriptor limit allows — cost the clients that are working.
 * Eight keep-alive clients, connected first, GET a manifest by tag in a loop for the load time on the idle server,
 * then again with the idle connections open, in {@link #PAIRS} such pairs (the idle connections closed between
 * them); the figures are the medians of both p99s and of their ratio (the issue asks for at most 1.2), how many of
 * the idle connections the server holds (the rest it refused at {@code limits.maxConnections}), and the heap each
 * held connection costs: heap used after a full collection ({@code jcmd GC.run}) with and without them, divided by
 * their number.
 */
final class IdleConnections {
    static final String PHASE = "idle-connections";
    private static final int WANTED = 20_000;
    private static final int ADDRESSES = 40;
    private static final int CLIENTS = 8;
    /** Quiet-then-flooded pairs: on a shared machine one pair's p99s move by 2× either way, their median less. */
    private static final int PAIRS = 5;
    private static final Pattern SAMPLE = Pattern.compile("(?m)^(\\w+)(\\{[^}]*})? (\\S+)$");

    private final Run run;

    IdleConnections(Run run) {
        this.run = run;
    }

    void measure() throws Exception {
        run.pushed.ensureTags(1);
        String path = "/v2/" + TAGS_REPO + "/manifests/" + Content.tag(0);
        List<PlainHttp> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new PlainHttp(run.server.port, (int) run.registry.timeout.toMillis()));
        }
        List<Socket> idle = Collections.synchronizedList(new ArrayList<>());
        try {
            latencies(clients, path, 2 * run.options.loadSeconds); // connects them, warms up
            int wanted = wanted();
            int pairs = run.options.quick ? 1 : PAIRS;
            double[] quietP99 = new double[pairs];
            double[] busyP99 = new double[pairs];
            double[] ratios = new double[pairs];
            double[] quietP50 = new double[pairs];
            double[] busyP50 = new double[pairs];
            double held = 0;
            double heapPerConnection = 0;
            for (int pair = 0; pair < pairs; pair++) {
                double[] quiet = latencies(clients, path, run.options.loadSeconds);
                double[] before = pair == 0 ? heapAndHeld(clients.get(0)) : null;
                open(idle, wanted);
                // Measured at once: a connection that sends nothing is closed after limits.headerTimeout (10 s).
                if (pair == 0) {
                    double[] with = heapAndHeld(clients.get(0));
                    held = with[1] - before[1];
                    heapPerConnection = held > 0 ? (with[0] - before[0]) / held / 1024 : Double.NaN;
                }
                double[] busy = latencies(clients, path, run.options.loadSeconds);
                closeAll(idle, clients.get(0));
                quietP99[pair] = quiet[1];
                busyP99[pair] = busy[1];
                ratios[pair] = busy[1] / quiet[1];
                quietP50[pair] = quiet[0];
                busyP50[pair] = busy[0];
                System.out.printf("    %s pair %d: p99 %.2f → %.2f ms (×%.2f), p50 %.2f → %.2f ms%n", PHASE, pair + 1,
                        quiet[1], busy[1], ratios[pair], quiet[0], busy[0]);
            }
            String metrics = clients.get(0).send("GET", "/metrics", new byte[0], null).body();
            run.fig(PHASE + "-quiet-p99", "manifest GET p99, 8 keep-alive clients, no idle connections (median)", "ms",
                    false, median(quietP99));
            run.fig(PHASE + "-p99", "the same with " + wanted + " idle connections opened (median)", "ms", false,
                    median(busyP99));
            run.fig(PHASE + "-p99-ratio", "p99 with them / p99 without, median of " + pairs + " pairs (issue #21: ≤ 1.2)",
                    "×", false, median(ratios));
            run.fig(PHASE + "-quiet-p50", "manifest GET p50, no idle connections (median)", "ms", false, median(quietP50));
            run.fig(PHASE + "-p50", "manifest GET p50 with them (median)", "ms", false, median(busyP50));
            run.fig(PHASE + "-held", "idle connections the server held (the rest refused at the limit)", "connections",
                    false, held);
            run.fig(PHASE + "-refused", "idle connections refused in all (limits.maxConnections…)", "connections", false,
                    sum(metrics, "berth_connections_refused_total"));
            run.fig(PHASE + "-heap-per-connection", "heap per held idle connection, after a full collection", "KiB",
                    false, heapPerConnection);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
            clients.forEach(PlainHttp::close);
        }
    }

    /** Closes the idle connections and waits until the server has seen them go. */
    private void closeAll(List<Socket> idle, PlainHttp client) throws Exception {
        for (Socket socket : idle) {
            socket.close();
        }
        idle.clear();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (sum(client.send("GET", "/metrics", new byte[0], null).body(), "berth_connections_open") > CLIENTS + 1
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Opens {@code count} connections that send nothing, from {@link #ADDRESSES} addresses, on 8 threads. */
    private void open(List<Socket> idle, int count) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    try {
                        Socket socket = new Socket();
                        idle.add(socket);
                        socket.bind(new InetSocketAddress("127.0.0." + (2 + i % ADDRESSES), 0));
                        socket.connect(new InetSocketAddress("127.0.0.1", run.server.port), 10_000);
                    } catch (IOException e) {
                        run.tally.add(PHASE, "idle connection not opened: " + e.getMessage(), 1);
                    }
                }
            }, "bench-idle-opener"));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** p50 and p99 in ms of manifest GETs by {@link #CLIENTS} clients in a loop for {@code seconds}. */
    private double[] latencies(List<PlainHttp> clients, String path, double seconds) throws InterruptedException {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        List<long[]> perClient = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (PlainHttp client : clients) {
            long[] samples = new long[1 << 20];
            perClient.add(samples);
            threads.add(new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < until && n < samples.length - 1) {
                    long t0 = System.nanoTime();
                    try {
                        PlainHttp.Answer answer = client.get(path, Content.OCI_MANIFEST, null);
                        if (answer.status() != 200) {
                            run.tally.add(PHASE, "manifest GET answered " + answer.status(), 1);
                        }
                    } catch (IOException e) {
                        run.tally.add(PHASE, "manifest GET failed: " + e, 1);
                    }
                    samples[++n] = System.nanoTime() - t0;
                }
                samples[0] = n;
            }, "bench-idle-client"));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all = perClient.stream().flatMapToLong(s -> Arrays.stream(s, 1, (int) s[0] + 1)).sorted().toArray();
        if (all.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {all[all.length / 2] / 1e6, all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6};
    }

    /** {@link #WANTED}, or what this process's file-descriptor limit leaves; noted in the report when fewer. */
    private int wanted() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os)) {
            return WANTED;
        }
        long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 500;
        if (free < WANTED) {
            run.report.note(String.format("%s: %d idle connections instead of %d: the bench's file-descriptor limit is %d"
                    + " (raise it with ulimit -n)", PHASE, Math.max(0, free), WANTED, os.getMaxFileDescriptorCount()));
        }
        return (int) Math.max(0, Math.min(WANTED, free));
    }

    /**
     * Heap used after a full collection of the server's JVM, in bytes, and the connections open, from one scrape of
     * its metrics.
     */
    private double[] heapAndHeld(PlainHttp client) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", String.valueOf(run.server.process.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            run.report.note(PHASE + ": jcmd GC.run failed; the heap figure includes garbage");
        }
        String metrics = client.send("GET", "/metrics", new byte[0], null).body();
        double heap = 0;
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (m.group(1).equals("jvm_memory_used_bytes") && m.group(2) != null && m.group(2).contains("area=\"heap\"")) {
                heap += Double.parseDouble(m.group(3));
            }
        }
        return new double[] {heap, sum(metrics, "berth_connections_open")};
    }

    private static double sum(String metrics, String name) {
        double sum = 0;
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }
}
