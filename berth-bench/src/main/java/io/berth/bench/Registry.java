package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The registry calls of the push and pull workloads, over java.net.http (HTTP/1.1, keep-alive). Every answer's
 * status is checked; anything unexpected goes to the {@link Tally} under the current phase and the call returns
 * false (or empty), so that a workload goes on and the report shows what failed.
 */
final class Registry {
    static final ObjectMapper JSON = new ObjectMapper();

    final URI base;
    final Tally tally;
    final Duration timeout;
    volatile String phase = "setup";
    /** The slowest answer (until its body handler returned) since the last {@link #takeSlowest}. */
    private final AtomicReference<Slowest> slowest = new AtomicReference<>(Slowest.NONE);

    record Slowest(long nanos, String what) {
        static final Slowest NONE = new Slowest(0, "");
    }

    Slowest takeSlowest() {
        return slowest.getAndSet(Slowest.NONE);
    }

    /** Keeps {@code what}, started at {@code t0}, when it is the slowest answer so far. */
    private void timed(long t0, String what) {
        Slowest answer = new Slowest(System.nanoTime() - t0, what);
        slowest.accumulateAndGet(answer, (a, b) -> a.nanos >= b.nanos ? a : b);
    }

    Registry(URI base, Tally tally, Duration timeout) {
        this.base = base;
        this.tally = tally;
        this.timeout = timeout;
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    HttpRequest.Builder request(String pathOrUrl) {
        return HttpRequest.newBuilder(base.resolve(pathOrUrl)).timeout(timeout);
    }

    /** Sends and checks the status; null (and a tally entry) when the call failed. */
    <T> HttpResponse<T> send(HttpClient client, HttpRequest request, BodyHandler<T> handler, String what, int... expected) {
        HttpResponse<T> response;
        long t0 = System.nanoTime();
        try {
            response = client.send(request, handler);
            timed(t0, what);
        } catch (IOException e) {
            failed(what, e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        for (int status : expected) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        String body = response.body() instanceof String s ? " " + abbreviate(s)
                : response.body() instanceof byte[] b ? " " + abbreviate(new String(b, java.nio.charset.StandardCharsets.UTF_8)) : "";
        if (response.body() instanceof InputStream in) {
            try (in) {
                body = " " + abbreviate(new String(in.readNBytes(300), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the status is what counts
            }
        }
        tally.add(phase, what + " → " + response.statusCode() + body, 1);
        return null;
    }

    /** A call that got no answer: the exception goes to the tally under the current phase. */
    private void failed(String what, Exception e) {
        tally.add(phase, what + " → " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), 1);
    }

    private static String abbreviate(String s) {
        s = s.replaceAll("\\s+", " ").trim();
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }

    /** POST /v2/{repo}/blobs/uploads/ → the session's Location. */
    Optional<String> startUpload(HttpClient client, String repo) {
        HttpResponse<String> r = send(client, request("/v2/" + repo + "/blobs/uploads/").POST(BodyPublishers.noBody()).build(),
                BodyHandlers.ofString(), "POST upload", 202);
        return r == null ? Optional.empty() : location(r, "POST upload");
    }

    private Optional<String> location(HttpResponse<?> r, String what) {
        return location(r.headers().firstValue("Location"), what);
    }

    private Optional<String> location(Optional<String> location, String what) {
        if (location.isEmpty()) {
            tally.add(phase, what + " → no Location", 1);
        }
        return location;
    }

    static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    /** POST then PUT with the whole blob (the spec's monolithic upload). */
    boolean pushMonolithic(HttpClient client, String repo, Content.Blob blob) {
        Optional<String> location = startUpload(client, repo);
        if (location.isEmpty()) {
            return false;
        }
        return send(client, request(withDigest(location.get(), blob.digest())).header("Content-Type", "application/octet-stream")
                .PUT(blob.publisher()).build(), BodyHandlers.ofString(), "PUT blob", 201) != null;
    }

    /**
     * The same monolithic upload over a {@link PlainHttp} connection, for blobs held whole in {@code body} (the small
     * ones and the mixed workload's layers).
     */
    boolean pushMonolithic(PlainHttp http, String repo, Content.Blob blob) {
        Optional<String> location = send(http, "POST", "/v2/" + repo + "/blobs/uploads/", new byte[0], null, 202, "POST upload")
                .flatMap(started -> location(started.location(), "POST upload"));
        return location.isPresent() && send(http, "PUT", withDigest(pathOf(location.get()), blob.digest()), blob.body(),
                "application/octet-stream", 201, "PUT blob").isPresent();
    }

    boolean putManifest(PlainHttp http, String repo, String tag, byte[] manifest) {
        return send(http, "PUT", "/v2/" + repo + "/manifests/" + tag, manifest, Content.OCI_MANIFEST, 201, "PUT manifest").isPresent();
    }

    /** One request over {@link PlainHttp}: the answer when its status is {@code expected}, else empty (and a tally entry). */
    private Optional<PlainHttp.Answer> send(PlainHttp http, String method, String target, byte[] body, String contentType,
                                            int expected, String what) {
        try {
            PlainHttp.Answer answer = http.send(method, target, body, contentType);
            if (answer.status() == expected) {
                return Optional.of(answer);
            }
            tally.add(phase, what + " → " + answer.status() + " " + abbreviate(answer.body()), 1);
        } catch (IOException | RuntimeException e) {
            failed(what, e);
        }
        return Optional.empty();
    }

    /**
     * GET a manifest (OCI Accept header) or a blob over {@link PlainHttp}; true when 200 with exactly {@code size} bytes
     * that hash to {@code digest}. With a null digest the body is only counted (the big downloads, timed).
     */
    boolean fetch(PlainHttp http, String target, String accept, String digest, long size, String what) {
        long t0 = System.nanoTime();
        MessageDigest received = digest == null ? null : Content.sha256();
        try {
            PlainHttp.Answer answer = http.get(target, accept, received);
            if (answer.status() != 200) {
                tally.add(phase, what + " → " + answer.status() + " " + abbreviate(answer.body()), 1);
                return false;
            }
            if (answer.length() != size || received != null && !digest.equals(Content.hex(received.digest()))) {
                tally.add(phase, what + " → " + answer.length() + " bytes, not the " + size + " bytes"
                        + (digest == null ? "" : " of " + digest), 1);
                return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            failed(what, e);
            return false;
        } finally {
            timed(t0, what);
        }
    }

    /** A Location as a request target: Distribution answers absolute URLs, Berth paths. */
    private static String pathOf(String location) {
        URI uri = URI.create(location);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** POST, PATCH chunks with Content-Range (following each new Location), then PUT ?digest= without a body. */
    boolean pushChunked(HttpClient client, String repo, Content.Blob blob, int chunk) {
        Optional<String> location = startUpload(client, repo);
        for (long from = 0; from < blob.size() && location.isPresent(); from += chunk) {
            long to = Math.min(blob.size(), from + chunk);
            HttpResponse<String> r = send(client, request(location.get()).header("Content-Type", "application/octet-stream")
                    .header("Content-Range", from + "-" + (to - 1)).method("PATCH", blob.slice(from, to)).build(),
                    BodyHandlers.ofString(), "PATCH chunk", 202);
            location = r == null ? Optional.empty() : location(r, "PATCH chunk");
        }
        return location.isPresent() && send(client, request(withDigest(location.get(), blob.digest()))
                .PUT(BodyPublishers.noBody()).build(), BodyHandlers.ofString(), "PUT finish chunked", 201) != null;
    }

    boolean mount(HttpClient client, String repo, String digest, String from) {
        return send(client, request("/v2/" + repo + "/blobs/uploads/?mount=" + digest + "&from=" + from)
                .POST(BodyPublishers.noBody()).build(), BodyHandlers.ofString(), "POST mount", 201) != null;
    }

    boolean putManifest(HttpClient client, String repo, String tag, byte[] manifest) {
        return send(client, request("/v2/" + repo + "/manifests/" + tag).header("Content-Type", Content.OCI_MANIFEST)
                .PUT(BodyPublishers.ofByteArray(manifest)).build(), BodyHandlers.ofString(), "PUT manifest", 201) != null;
    }

    /** GET a manifest with an OCI Accept header; null when the status or (if given) the digest is wrong. */
    byte[] getManifest(HttpClient client, String repo, String reference, String expectedDigest) {
        HttpResponse<byte[]> r = send(client, request("/v2/" + repo + "/manifests/" + reference).header("Accept", Content.OCI_MANIFEST)
                .GET().build(), BodyHandlers.ofByteArray(), "GET manifest", 200);
        if (r == null) {
            return null;
        }
        if (expectedDigest != null && !expectedDigest.equals(Content.hex(Content.sha256().digest(r.body())))) {
            tally.add(phase, "GET manifest → wrong digest", 1);
            return null;
        }
        return r.body();
    }

    /** GET bytes=[from, from+length) and compare with the content; true when 206 with exactly those bytes. */
    boolean checkRange(HttpClient client, String repo, Content.Blob blob, long from, int length) {
        HttpResponse<byte[]> r = send(client, request("/v2/" + repo + "/blobs/" + blob.digest())
                .header("Range", "bytes=" + from + "-" + (from + length - 1)).GET().build(), BodyHandlers.ofByteArray(), "GET range", 206);
        if (r == null) {
            return false;
        }
        byte[] body = r.body();
        boolean same = body.length == length;
        for (int i = 0; same && i < length; i++) {
            same = body[i] == blob.byteAt(from + i);
        }
        if (!same) {
            tally.add(phase, "GET range → wrong bytes (" + body.length + " bytes)", 1);
        }
        return same;
    }

    /** GET a JSON document (tags list, catalog) with its Link header. */
    record Page(JsonNode json, int bytes, Optional<String> next) {
    }

    Optional<Page> getJson(HttpClient client, String pathOrUrl, String what) {
        HttpResponse<byte[]> r = send(client, request(pathOrUrl).GET().build(), BodyHandlers.ofByteArray(), what, 200);
        if (r == null) {
            return Optional.empty();
        }
        try {
            Optional<String> next = r.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>')));
            return Optional.of(new Page(JSON.readTree(r.body()), r.body().length, next));
        } catch (IOException | RuntimeException e) {
            tally.add(phase, what + " → unreadable JSON " + e.getMessage(), 1);
            return Optional.empty();
        }
    }

    boolean head(HttpClient client, String path, String accept, String what) {
        HttpRequest.Builder b = request(path).method("HEAD", BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        return send(client, b.build(), BodyHandlers.discarding(), what, 200) != null;
    }

    static BodyPublisher bytes(byte[] b) {
        return BodyPublishers.ofByteArray(b);
    }
}
