package io.berth.server.ui;

import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web UI: one HTML shell for every page ({@code /}, {@code /types}, {@code /storage}, {@code /r/<repository>},
 * {@code /r/<repository>:<tag>}, {@code /r/<repository>@<digest>}) and its static files under {@code /ui/}, read from
 * the jar once. The pages render with plain ES modules that read the JSON API ({@code /api/v1/}) only. The shell
 * says whether authorization is on ({@code <meta name="berth-authorization">}), which a 401 would tell anyone
 * anyway: without it every caller is an operator, and the UI shows the operators' pages to everyone.
 *
 * <p>Assets are linked from the shell as {@code /ui/<version>/<file>}, where the version is a hash of all of them,
 * so they can be cached for good ({@code immutable}); the shell itself is revalidated ({@code no-cache} + ETag).
 * Every answer carries a strict Content-Security-Policy: only this origin's scripts, styles and images, no inline
 * code, no framing.
 */
public final class WebUi {
    /** The files under {@code ui/} on the class path; all are loaded at construction. */
    static final List<String> ASSETS = List.of("app.js", "api.js", "dom.js", "session.js", "signin.js", "style.css", "berth.svg",
            "views/repositories.js", "views/repository.js", "views/artifact.js", "views/types.js", "views/storage.js");
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; script-src 'self'; "
            + "style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final String VERSION_PLACEHOLDER = "@VERSION@";
    private static final String AUTHORIZATION_PLACEHOLDER = "@AUTHORIZATION@";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String REVALIDATE = "no-cache";

    private record Asset(byte[] content, String contentType, String etag) {
    }

    private final Asset shell;
    private final Map<String, Asset> assets = new LinkedHashMap<>();
    private final String version;

    /** For a registry without authorization. */
    public WebUi() {
        this(false);
    }

    /** @param authorization whether the registry checks who calls it */
    public WebUi(boolean authorization) {
        MessageDigest all = sha256();
        for (String name : ASSETS) {
            byte[] content = resource(name);
            all.update(name.getBytes(StandardCharsets.UTF_8));
            all.update(content);
            assets.put(name, asset(name, content));
        }
        version = HexFormat.of().formatHex(all.digest()).substring(0, 12);
        String html = new String(resource("index.html"), StandardCharsets.UTF_8).replace(VERSION_PLACEHOLDER, version)
                .replace(AUTHORIZATION_PLACEHOLDER, authorization ? "on" : "off");
        shell = asset("index.html", html.getBytes(StandardCharsets.UTF_8));
    }

    /** The hash that versions the asset URLs. */
    public String version() {
        return version;
    }

    /** A page ({@code /}, {@code /types}, {@code /storage}, {@code /r/…}): the one HTML shell. */
    public Future<Reply> page(Exchange exchange) {
        return Future.succeededFuture(send(exchange, shell, REVALIDATE));
    }

    /** A file under {@code /ui/}, {@code /ui/<version>/<file>} or {@code /ui/<file>}. */
    public Future<Reply> file(Exchange exchange) {
        String rest = exchange.request().path().substring("/ui/".length());
        String cacheControl = REVALIDATE;
        int slash = rest.indexOf('/');
        if (!assets.containsKey(rest) && slash > 0) {
            // /ui/<version>/<file>: cached for good when the version is this build's, else revalidated
            cacheControl = rest.substring(0, slash).equals(version) ? IMMUTABLE : REVALIDATE;
            rest = rest.substring(slash + 1);
        }
        Asset asset = assets.get(rest);
        if (asset == null) {
            return Future.succeededFuture(secured(Reply.status(404))
                    .bytes("no such file in the web UI\n".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8"));
        }
        return Future.succeededFuture(send(exchange, asset, cacheControl));
    }

    private static Reply send(Exchange exchange, Asset asset, String cacheControl) {
        String ifNoneMatch = exchange.header("If-None-Match").orElse(null);
        if (ifNoneMatch != null && (ifNoneMatch.contains(asset.etag()) || ifNoneMatch.trim().equals("*"))) {
            return Reply.status(304).header("ETag", asset.etag()).header("Cache-Control", cacheControl);
        }
        return secured(Reply.status(200)).header("ETag", asset.etag()).header("Cache-Control", cacheControl)
                .bytes(asset.content(), asset.contentType());
    }

    private static Reply secured(Reply reply) {
        return reply.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .header("X-Frame-Options", "DENY");
    }

    private static Asset asset(String name, byte[] content) {
        String etag = "\"" + HexFormat.of().formatHex(sha256().digest(content)).substring(0, 16) + "\"";
        return new Asset(content, contentType(name), etag);
    }

    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "html" -> "text/html; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "json" -> "application/json";
            default -> "application/octet-stream";
        };
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebUi.class.getResourceAsStream("/ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the web UI file ui/" + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
