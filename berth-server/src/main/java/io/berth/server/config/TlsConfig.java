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
 *                           Off by default: the clients measured here that use it when offered (curl,
 *                           {@code java.net.http}) pull more slowly over its one connection than over HTTP/1.1's many,
 *                           from Berth as from Distribution ({@code bench/run --only tls-pull}), and an HTTP/2
 *                           connection may hold 1 MiB of request body in the heap (docs/operations.md, HTTP/2).
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
