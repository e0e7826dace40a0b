package io.berth.bench;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server in one round: what the phases share (the server, its {@link Registry} client, the content, what has been
 * pushed) and what they measure with (concurrent clients, wrk and ab runs, figures for the report).
 */
final class Run {
    final Options options;
    final Sizes sizes;
    final Report report;
    final Content content;
    final LoadTools tools;
    final ServerProcess server;
    final Tally tally;
    final int round;
    final Registry registry;
    final Pushed pushed;
    private final List<HttpClient> clients = new ArrayList<>();
    boolean berthOnlyPhase;
    double maxPeak;
    String phase;
    final List<String> phaseFigures = new ArrayList<>();

    /** A task of a concurrent workload: true when it succeeded. */
    interface Task {
        boolean run(HttpClient client, int index);
    }

    Run(Options options, Sizes sizes, Report report, Content content, LoadTools tools, ServerProcess server, Tally tally,
            int round) {
        this.options = options;
        this.sizes = sizes;
        this.report = report;
        this.content = content;
        this.tools = tools;
        this.server = server;
        this.tally = tally;
        this.round = round;
        this.registry = new Registry(server.base, tally, Duration.ofSeconds(options.quick ? 30 : 120));
        this.pushed = new Pushed(this);
    }

    HttpClient client(int i) {
        while (clients.size() <= i) {
            clients.add(Registry.client());
        }
        return clients.get(i);
    }

    void fig(String id, String label, String unit, boolean higherBetter, double value) {
        String name = server.name;
        report.add(new Report.Figure(id, label, unit, higherBetter, berthOnlyPhase), name, round, value, false);
        phaseFigures.add(id);
    }

    /** This phase's figures so far, for its line of output. */
    String summary() {
        StringBuilder s = new StringBuilder();
        for (String id : phaseFigures) {
            Report.Figure f = report.figures.get(id);
            double v = report.values.get(id).get(server.name).get(round);
            s.append(s.length() == 0 ? "" : ", ").append(Report.num(v)).append(' ').append(f.unit());
        }
        return s.toString();
    }

    void setup(String what) {
        registry.phase = "setup (" + what + ") before " + phase;
    }

    void endSetup() {
        registry.phase = phase;
    }

    /** A task of a concurrent workload over its thread's {@link PlainHttp} connection: true when it succeeded. */
    interface PlainTask {
        boolean run(PlainHttp http, int index);
    }

    /** How a concurrent workload went: its wall time and how many of its tasks succeeded. */
    record Batch(double seconds, int succeeded) {
    }

    /** Runs {@code tasks} tasks on {@code threads} threads, each with its own {@link PlainHttp} connection. */
    Batch parallelPlain(int threads, int tasks, PlainTask task) throws InterruptedException {
        List<PlainHttp> connections = new CopyOnWriteArrayList<>();
        ThreadLocal<PlainHttp> connection = ThreadLocal.withInitial(() -> {
            PlainHttp http = new PlainHttp(server.port, (int) registry.timeout.toMillis());
            connections.add(http);
            return http;
        });
        try {
            return parallel(threads, tasks, (c, i) -> task.run(connection.get(), i));
        } finally {
            connections.forEach(PlainHttp::close);
        }
    }

    /** Runs {@code tasks} tasks on {@code threads} threads, each with its own HttpClient. */
    Batch parallel(int threads, int tasks, Task task) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            HttpClient c = client(t);
            workers.add(new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < tasks; ) {
                    try {
                        if (!task.run(c, i)) {
                            failed.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        tally.add(registry.phase, "client error " + e, 1);
                        failed.incrementAndGet();
                    }
                }
            }, "bench-worker-" + t));
        }
        long t0 = System.nanoTime();
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        return new Batch((System.nanoTime() - t0) / 1e9, tasks - failed.get());
    }

    void load(String id, String label, LoadTools.Load l, double minBytesPerAnswer) {
        tally.add(phase, l.tool() + ": non-2xx answers", l.non2xx());
        tally.add(phase, l.tool() + ": " + (l.tool().equals("ab") ? "failed requests" : "socket errors"), l.errors());
        if (l.requests() == 0) {
            tally.add(phase, l.tool() + ": no request completed", 1);
        }
        // wrk prints its byte count rounded to two decimals of its unit (e.g. "1.95GB read"): allow 1 %.
        if (minBytesPerAnswer > 0 && l.requests() > 0 && l.bytesPerRequest() < 0.99 * minBytesPerAnswer) {
            tally.add(phase, String.format("%s: %.0f bytes per answer, expected at least %.0f", l.tool(), l.bytesPerRequest(),
                    minBytesPerAnswer), 1);
        }
        fig(id + "-rps", label + " req/s", "req/s", true, l.requestsPerSecond());
        fig(id + "-p50", label + " p50", "ms", false, l.p50Ms());
        fig(id + "-p99", label + " p99", "ms", false, l.p99Ms());
        fig(id + "-cpu", label + " server CPU per request", "µs", false, l.serverCpuMicrosPerRequest());
    }

    LoadTools.Load wrk(String label, String path, int connections, String lua) throws Exception {
        String url = server.base + path;
        String tag = server.name + "-r" + round + "-" + label;
        if (!options.quick) {
            tools.wrk(tag + "-warmup", url, connections, 1, lua);
        }
        double cpu0 = server.cpuSeconds();
        LoadTools.Load load = tools.wrk(tag, url, connections, options.loadSeconds, lua);
        return load.withServerCpu(server.cpuSeconds() - cpu0);
    }

    LoadTools.Load abHead(String label, String path, int connections, List<String> headers) throws Exception {
        String url = server.base + path;
        String tag = server.name + "-r" + round + "-" + label;
        if (!options.quick) {
            tools.abHead(tag + "-warmup", url, connections, 1, headers);
        }
        double cpu0 = server.cpuSeconds();
        LoadTools.Load load = tools.abHead(tag, url, connections, options.loadSeconds, headers);
        return load.withServerCpu(server.cpuSeconds() - cpu0);
    }

    static double mib(long bytes, double seconds) {
        return bytes / (double) Sizes.MIB / seconds;
    }
}
