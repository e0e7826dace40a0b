package io.berth.server.tls;

import io.berth.server.startup.ConfigException;
import io.berth.server.startup.Preflight;
import io.berth.server.config.TlsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS from a PEM certificate chain and private key. The files are read by Berth and handed to Vert.x as values;
 * every two seconds their modification times and sizes are compared, and a changed pair is loaded into the running
 * server ({@link HttpServer#updateSSLOptions}) for new connections. A pair Vert.x cannot use is logged and the
 * previous one stays in force. ALPN offers HTTP/1.1, and HTTP/2 before it with {@code tls.http2: true} (off by default:
 * {@link TlsConfig#http2()}; its limits: {@link io.berth.server.http.HttpEdge}); a client that asks for neither gets
 * HTTP/1.1.
 */
public final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final long RELOAD_MILLIS = 2_000;

    private record Stamp(Instant certificate, long certificateSize, Instant key, long keySize) {
    }

    private final Path certificate;
    private final Path key;
    private volatile Stamp stamp;

    private ServerTls(Path certificate, Path key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** Applies the configuration to the server options: TLS (and ALPN) on with the files' contents, or nothing. */
    public static HttpServerOptions configure(TlsConfig config, HttpServerOptions options) {
        if (!config.enabled()) {
            return options;
        }
        ServerTls tls = new ServerTls(config.certificate().get(), config.key().get());
        try {
            tls.stamp = tls.stamp();
            return options.setSsl(true).setKeyCertOptions(tls.pem()).setUseAlpn(true)
                    .setAlpnVersions(config.http2() ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1) : List.of(HttpVersion.HTTP_1_1));
        } catch (IOException e) {
            Path file = e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
                    ? Path.of(fs.getFile()) : config.certificate().get();
            throw new ConfigException(Preflight.fileProblem(file.equals(config.key().get()) ? "TLS key" : "TLS certificate",
                    file, null, e, "fix tls.certificate and tls.key"), e);
        }
    }

    /** Starts watching the files of the configuration for changes; returns the timer id, or -1 without TLS. */
    public static long watch(TlsConfig config, Vertx vertx, WorkerExecutor workers, HttpServer server) {
        if (!config.enabled()) {
            return -1;
        }
        ServerTls tls = new ServerTls(config.certificate().get(), config.key().get());
        try {
            tls.stamp = tls.stamp();
        } catch (IOException e) {
            tls.stamp = null;
        }
        return vertx.setPeriodic(RELOAD_MILLIS, id -> workers.executeBlocking(tls::changed, false).onSuccess(pem -> {
            if (pem != null) {
                server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(pem), true)
                        .onSuccess(updated -> LOG.info("reloaded the TLS certificate {} and key {}", tls.certificate, tls.key))
                        .onFailure(e -> LOG.warn("the TLS certificate {} or key {} is not usable ({}); keeping the previous pair",
                                tls.certificate, tls.key, e.getMessage()));
            }
        }));
    }

    /** The files' contents when they changed since the last look, else null. */
    private PemKeyCertOptions changed() {
        try {
            Stamp now = stamp();
            if (now.equals(stamp)) {
                return null;
            }
            stamp = now;
            return pem();
        } catch (IOException e) {
            LOG.warn("cannot read the TLS files ({}); keeping the previous pair", e.toString());
            return null;
        }
    }

    private PemKeyCertOptions pem() throws IOException {
        return new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(Files.readAllBytes(certificate)))
                .setKeyValue(Buffer.buffer(Files.readAllBytes(key)));
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes c = Files.readAttributes(certificate, BasicFileAttributes.class);
        BasicFileAttributes k = Files.readAttributes(key, BasicFileAttributes.class);
        return new Stamp(c.lastModifiedTime().toInstant(), c.size(), k.lastModifiedTime().toInstant(), k.size());
    }
}
