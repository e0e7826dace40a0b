package io.berth.server.config;

import io.berth.server.startup.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code tls} section: serve HTTPS from a PEM certificate chain and private key, both reloaded when they change.
 *
 * @param certificate        the PEM certificate chain
 * @param key                the PEM private key (PKCS#8 or PKCS#1)
 * @param allowPlainHttpAuth start with authorization over plain HTTP on a non-loopback address (behind a proxy
 *                           that terminates TLS); otherwise that is refused, since passwords would cross the network
 *                           in clear
 * @param http2              offer HTTP/2 besides HTTP/1.1 through ALPN (with TLS only; clear-text h2c is never offered).
 *                           Off by default: on Vert.x 5.0.7 a stream's write queue is bounded by the client's
 *                           flow-control window rather than by memory, so one client pulling 50 blobs of 1 MiB at once
 *                           over one connection made the server hold about 50 MiB of answers, and {@code bin/berth}'s
 *                           64 MiB heap ran out ({@code bench/run --only tls-pull}); HTTP/1.1 over TLS holds about
 *                           16 MiB of heap under the same load. Turn it on with a heap sized for it.
 */
public record TlsConfig(Optional<Path> certificate, Optional<Path> key, boolean allowPlainHttpAuth, boolean http2) {
    public static final TlsConfig NONE = new TlsConfig(Optional.empty(), Optional.empty(), false, false);

    public TlsConfig {
        if (certificate.isPresent() != key.isPresent()) {
            throw new ConfigException(List.of("tls needs both certificate and key"));
        }
    }

    public static TlsConfig of(Path certificate, Path key) {
        return new TlsConfig(Optional.of(certificate), Optional.of(key), false, false);
    }

    public boolean enabled() {
        return certificate.isPresent();
    }

    public TlsConfig withAllowPlainHttpAuth(boolean allow) {
        return new TlsConfig(certificate, key, allow, http2);
    }

    public TlsConfig withHttp2(boolean http2) {
        return new TlsConfig(certificate, key, allowPlainHttpAuth, http2);
    }
}
