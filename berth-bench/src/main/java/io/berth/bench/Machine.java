package io.berth.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The machine's own limits, measured once per run: hashing, loopback, disk with fsync, a static-file server's request rate. */
final class Machine {
    /** label → [value, unit]. */
    final Map<String, Object[]> figures = new LinkedHashMap<>();
    final Map<String, String> notes = new LinkedHashMap<>();

    void measure(Sizes sizes, Options options, Path scratch, Path logs, LoadTools tools) {
        step("openssl speed -evp sha256 (16 KiB blocks)", "MB/s", () -> openssl(logs));
        step("Java MessageDigest SHA-256 (1 MiB buffers, this JVM)", "MB/s", Machine::javaSha256);
        step("loopback TCP, Java sockets, " + Sizes.bytes(sizes.loopbackBytes()), "MiB/s", () -> loopback(sizes.loopbackBytes()));
        step("dd bs=1M count=" + sizes.ddBytes() / Sizes.MIB + " conv=fdatasync (data-dir filesystem)", "MB/s",
                () -> tools.dd("machine-dd", sizes.ddBytes()) / 1e6);
        bareReceiver(sizes, scratch, tools);
        step("nginx static 2-byte file, wrk 64 connections", "req/s", () -> nginx(options, scratch, logs, tools));
    }

    /**
     * The ceiling for the big uploads: curl sends a big blob to a {@link BareReceiver} three times, with {@code dd}
     * right before and after, so that the rate can be read as a share of the disk's rate in the same minute.
     */
    private void bareReceiver(Sizes sizes, Path scratch, LoadTools tools) {
        String what = "bare receiver (no registry): curl PUT " + sizes.bigLabel() + ", SHA-256, write, fdatasync";
        double[] share = {Double.NaN};
        step(what + ", median of 3", "MiB/s", () -> {
            Path body = new BlobFiles().of(Content.blob(Content.random(sizes.bigBlob(), 11)));
            double ddBefore = tools.ddMiBps("machine-bare-dd-before", sizes.ddBytes());
            double[] rates = new double[3];
            for (int i = 0; i < rates.length; i++) {
                rates[i] = BareReceiver.upload(tools, "machine-bare-" + i, body, scratch);
            }
            double ddAfter = tools.ddMiBps("machine-bare-dd-after", sizes.ddBytes());
            Files.delete(body);
            share[0] = LoadTools.percentOfDd(median(rates), ddBefore, ddAfter);
            return median(rates);
        });
        step("bare receiver as % of dd conv=fdatasync just before and after", "%", () -> {
            if (Double.isNaN(share[0])) {
                throw new IOException("no bare receiver figure");
            }
            return share[0];
        });
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private interface Measure {
        double run() throws Exception;
    }

    private void step(String label, String unit, Measure m) {
        try {
            double v = m.run();
            figures.put(label, new Object[] {v, unit});
            System.out.printf("  %-62s %12.1f %s%n", label, v, unit);
        } catch (Exception e) {
            figures.put(label, new Object[] {Double.NaN, unit});
            notes.put(label, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            System.out.printf("  %-62s  n/a (%s)%n", label, notes.get(label));
        }
    }

    private static double openssl(Path logs) throws Exception {
        File log = logs.resolve("machine-openssl.txt").toFile();
        Children.run(List.of("openssl", "speed", "-evp", "sha256", "-seconds", "1", "-bytes", "16384"), log, 30);
        String out = Files.readString(log.toPath());
        Matcher m = Pattern.compile("(?m)^sha256\\s+([0-9.]+)k").matcher(out);
        if (!m.find()) {
            throw new IOException("unreadable openssl output");
        }
        return Double.parseDouble(m.group(1)) / 1000; // 1000s of bytes per second → MB/s
    }

    private static double javaSha256() {
        byte[] buffer = Content.random(Sizes.MIB, 7);
        MessageDigest d = Content.sha256();
        for (int i = 0; i < 64; i++) { // warm-up
            d.update(buffer);
        }
        long n = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 700_000_000L) {
            d.update(buffer);
            n += buffer.length;
        }
        d.digest();
        return n / ((System.nanoTime() - t0) / 1e9) / 1e6;
    }

    private static double loopback(long total) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread reader = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] b = new byte[Sizes.MIB];
                    while (in.read(b) >= 0) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // the writer reports
                }
            });
            reader.start();
            byte[] chunk = new byte[Sizes.MIB];
            long t0 = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()); OutputStream out = s.getOutputStream()) {
                for (long sent = 0; sent < total; sent += chunk.length) {
                    out.write(chunk);
                }
            }
            reader.join(30_000);
            return total / ((System.nanoTime() - t0) / 1e9) / Sizes.MIB;
        }
    }

    private static double nginx(Options options, Path scratch, Path logs, LoadTools tools) throws Exception {
        String nginx = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        Path prefix = Files.createDirectories(scratch.resolve("nginx"));
        Path www = Files.createDirectories(prefix.resolve("www"));
        Files.writeString(www.resolve("ok"), "ok");
        int port = ServerProcess.freePort();
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.writeString(prefix.resolve("nginx.conf"), """
                %s
                daemon off;
                worker_processes 2;
                pid %s/nginx.pid;
                error_log %s/error.log error;
                events { worker_connections 1024; }
                http {
                    access_log off;
                    client_body_temp_path %s/tmp-body; proxy_temp_path %s/tmp-proxy; fastcgi_temp_path %s/tmp-fcgi;
                    uwsgi_temp_path %s/tmp-uwsgi; scgi_temp_path %s/tmp-scgi;
                    server { listen 127.0.0.1:%d; root %s; location / { } }
                }
                """.formatted(root ? "user root;" : "", prefix, prefix, prefix, prefix, prefix, prefix, prefix, port, www),
                StandardCharsets.UTF_8);
        File log = logs.resolve("machine-nginx.log").toFile();
        Process process = Children.start(List.of(nginx, "-p", prefix.toString(), "-e", prefix + "/error.log",
                "-c", prefix.resolve("nginx.conf").toString()), log, null);
        try {
            String url = "http://127.0.0.1:" + port + "/ok";
            waitForPort(port, process);
            tools.wrk("nginx-warmup", url, 64, 1, null);
            LoadTools.Load load = tools.wrk("nginx", url, 64, options.loadSeconds, null);
            if (load.non2xx() > 0 || load.requests() == 0) {
                throw new IOException("nginx answered " + load.non2xx() + " non-2xx of " + load.requests());
            }
            return load.requestsPerSecond();
        } finally {
            Children.stop(process, 5);
        }
    }

    private static void waitForPort(int port, Process process) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (!process.isAlive()) {
                throw new IOException("nginx exited with " + process.exitValue());
            }
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        throw new IOException("nginx did not listen");
    }

    static String describe() {
        StringBuilder s = new StringBuilder();
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            s.append(Runtime.getRuntime().availableProcessors()).append(" cores (").append(cpu).append("), ");
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            s.append(mem).append(", kernel ").append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        } catch (IOException e) {
            s.append("?");
        }
        return s.append(", Java ").append(System.getProperty("java.version")).toString();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
