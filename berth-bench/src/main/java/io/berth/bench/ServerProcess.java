package io.berth.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One registry under test, as a child process on 127.0.0.1 with a fresh data directory. Reads its CPU time
 * (utime + stime, /proc/PID/stat) and peak RSS (VmHWM, /proc/PID/status, reset per phase through
 * /proc/PID/clear_refs) summed over the process and its descendants (a launcher script may fork the JVM).
 */
final class ServerProcess implements AutoCloseable {
    private static final double CLOCK_TICKS = 100.0; // sysconf(_SC_CLK_TCK) on Linux

    final String name;
    final int port;
    final Path data;
    final Process process;
    final long startNanos;
    final URI base;

    private ServerProcess(String name, int port, Path data, Process process, long startNanos, boolean tls) {
        this.name = name;
        this.port = port;
        this.data = data;
        this.process = process;
        this.startNanos = startNanos;
        this.base = URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port);
    }

    /** A PEM certificate and key to serve HTTPS with, HTTP/2 offered through ALPN (Distribution's default). */
    record Tls(Path certificate, Path key) {
    }

    static ServerProcess start(String server, Options options, Path data, File log) throws IOException {
        return start(server, options, data, log, null);
    }

    /** The server over HTTPS with {@code tls}, or over plain HTTP when it is null. */
    static ServerProcess start(String server, Options options, Path data, File log, Tls tls) throws IOException {
        if (server.equals("berth")) {
            return startBerth("Berth", options.berthCommand, data, log, tls == null ? Map.of()
                    : Map.of("BERTH_TLS_CERTIFICATE", tls.certificate().toString(), "BERTH_TLS_KEY", tls.key().toString(),
                            "BERTH_TLS_HTTP2", "true"));
        }
        int port = freePort();
        Path config = data.resolve("config.yml");
        // The configuration, plus the access log off, as Berth's: Distribution's would go to a file.
        Files.writeString(config, """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                %slog:
                  level: error
                  accesslog:
                    disabled: true
                """.formatted(data.resolve("store"), port, tls == null ? "" : """
                  tls:
                    certificate: %s
                    key: %s
                """.formatted(tls.certificate(), tls.key())), StandardCharsets.UTF_8);
        List<String> command = List.of(options.distributionCommand, "serve", config.toString());
        return spawn("Distribution", command, Map.of(), port, data, log, tls != null);
    }

    /** Berth by {@code command} (a launcher and {@code serve}), with {@code --listen} and {@code --data} appended. */
    static ServerProcess startBerth(String name, List<String> command, Path data, File log) throws IOException {
        return startBerth(name, command, data, log, Map.of());
    }

    /** The same with more environment variables (configuration such as {@code BERTH_GC_GRACE_PERIOD}). */
    static ServerProcess startBerth(String name, List<String> command, Path data, File log, Map<String, String> environment)
            throws IOException {
        int port = freePort();
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--listen", "127.0.0.1:" + port, "--data", data.resolve("store").toString()));
        // Berth's access log off, as Distribution's (an older Berth ignores the variable).
        Map<String, String> all = new java.util.HashMap<>(environment);
        all.put("BERTH_LOG_ACCESS", "false");
        return spawn(name, full, all, port, data, log, environment.containsKey("BERTH_TLS_CERTIFICATE"));
    }

    private static ServerProcess spawn(String name, List<String> command, Map<String, String> environment, int port, Path data,
            File log, boolean tls) throws IOException {
        Files.writeString(log.toPath(), "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        Process process = Children.start(command, log, null, environment);
        return new ServerProcess(name, port, data, process, t0, tls);
    }

    /**
     * Polls GET /v2/ every 5 ms until 200; returns the milliseconds from spawn to that answer. The probe is a plain
     * socket with a one-line request: a cold java.net.http client (TLS set-up, its selector thread, an exception per
     * refused connection) took CPU from the server it was timing on this 2-core machine.
     */
    double awaitReady(Duration limit) throws IOException, InterruptedException {
        long deadline = startNanos + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " before answering");
            }
            if (answers200()) {
                return (System.nanoTime() - startNanos) / 1e6;
            }
            Thread.sleep(5);
        }
        throw new IOException(name + " did not answer 200 on /v2/ within " + limit.toSeconds() + " s");
    }

    private boolean answers200() {
        try (Socket socket = base.getScheme().equals("https") ? anyCertificate().createSocket() : new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] statusLine = socket.getInputStream().readNBytes(12); // "HTTP/1.1 200"
            return new String(statusLine, StandardCharsets.US_ASCII).endsWith(" 200");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** TLS for the readiness probe of a server on 127.0.0.1 that this process started: any certificate will do. */
    private static javax.net.ssl.SSLSocketFactory anyCertificate() throws IOException {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private Stream<ProcessHandle> tree() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants());
    }

    /** utime + stime of the process tree, in seconds. */
    double cpuSeconds() {
        return tree().mapToDouble(p -> {
            try {
                String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }).sum();
    }

    /** VmHWM of the process tree, in MiB (since start or the last {@link #resetPeak()}). */
    double peakRssMiB() {
        return tree().mapToLong(p -> statusKiB(p.pid(), "VmHWM:")).sum() / 1024.0;
    }

    double rssMiB() {
        return tree().mapToLong(p -> statusKiB(p.pid(), "VmRSS:")).sum() / 1024.0;
    }

    /** Writes 5 to clear_refs, which resets VmHWM to the current RSS; false where that is not allowed. */
    boolean resetPeak() {
        return tree().allMatch(p -> {
            try {
                Files.writeString(Path.of("/proc/" + p.pid() + "/clear_refs"), "5");
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static long statusKiB(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        Children.stop(process, 35); // Berth lets in-flight requests finish for up to 30 s
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
