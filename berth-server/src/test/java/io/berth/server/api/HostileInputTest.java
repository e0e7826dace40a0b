package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.oci.ErrorCode;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.RawHttp;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an attacker sends, byte for byte over a raw socket, and what each must get: a 4xx (never a 5xx), a JSON error
 * envelope whose code is one of the distribution-spec's (on {@code /v2} and everywhere else alike), and for the cases
 * with a known answer that exact status and code. Names, digests, references, ranges, uploads, manifests, paging,
 * query encoding and credentials; the framing of the messages themselves is {@code FramingTest}'s.
 */
class HostileInputTest {
    private static final String REPO = "hostile/app";
    private static final String GOOD_DIGEST = "sha256:" + "a".repeat(64);
    private static final String UPLOAD = "/v2/" + REPO + "/blobs/uploads/";

    @TempDir
    static Path dir;
    static BerthFixture registry;
    static RegistryHttp http;
    static String upload;
    static String layer;

    /**
     * One hostile request.
     *
     * @param status the exact status, or 0 for "some 4xx"
     * @param code   the exact error code, or null for "some spec code"
     */
    record Case(String name, String request, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() {
        registry = BerthFixture.start(dir, config -> config.withLimits(new io.berth.server.config.BerthConfig.Limits(
                64 * 1024, 100, 1000)));
        http = new RegistryHttp(registry.baseUri());
        http.pushImage(REPO, "v1");
        layer = RegistryHttp.json(http.send("GET", "/v2/" + REPO + "/manifests/v1",
                java.net.http.HttpRequest.BodyPublishers.noBody(), "Accept", RegistryHttp.OCI_MANIFEST))
                .path("layers").get(0).path("digest").asText();
        upload = URI.create(http.send("POST", UPLOAD, java.net.http.HttpRequest.BodyPublishers.noBody())
                .headers().firstValue("Location").orElseThrow()).getPath();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static Case get(String name, String target, int status, String code) {
        return new Case(name, RawHttp.request("GET", target, null), status, code);
    }

    private static Case send(String name, String method, String target, String body, int status, String code,
                             String... headers) {
        return new Case(name, RawHttp.request(method, target, body, headers), status, code);
    }

    /** Repository names no spec grammar allows, each tried on every kind of endpoint. */
    static final List<String> BAD_NAMES = List.of("UPPER/case", "a..b", "a//b", "-lead", "trail-", "a__-b", "%2e%2e",
            "..%2f..%2fetc", "a%00b", "a%0d%0aSet-Cookie:x", "caf%C3%A9", "a%ffb", "sp%20ace", "x".repeat(256),
            "a/" + "b/".repeat(200) + "c", "%", "a%2", "a%zzb", "a:b", "a@b", "%E2%80%AE", "emoji%F0%9F%90%B3");

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String name : BAD_NAMES) {
            cases.add(get("tags of " + name, "/v2/" + name + "/tags/list", 400, "NAME_INVALID"));
            cases.add(get("manifest of " + name, "/v2/" + name + "/manifests/v1", 400, "NAME_INVALID"));
            cases.add(get("blob of " + name, "/v2/" + name + "/blobs/" + GOOD_DIGEST, 400, "NAME_INVALID"));
            cases.add(send("upload to " + name, "POST", "/v2/" + name + "/blobs/uploads/", "", 400, "NAME_INVALID"));
            cases.add(get("referrers of " + name, "/v2/" + name + "/referrers/" + GOOD_DIGEST, 400, "NAME_INVALID"));
        }
        cases.add(get("an empty name", "/v2//tags/list", 404, "UNSUPPORTED"));
        for (String digest : List.of("sha256:zz", "sha256:" + "a".repeat(63), "sha256:" + "a".repeat(65),
                "sha256:" + "A".repeat(64), "md5:0123456789abcdef", "sha256", "sha256:", ":abc", "sha512:abc",
                "sha256:" + "a".repeat(62) + "%0a", "notadigest:x", "SHA256:" + "a".repeat(64), "sha256:" + "g".repeat(64))) {
            cases.add(get("blob " + digest, "/v2/" + REPO + "/blobs/" + digest, 400, "DIGEST_INVALID"));
            cases.add(get("referrers " + digest, "/v2/" + REPO + "/referrers/" + digest, 400, "DIGEST_INVALID"));
            cases.add(get("manifest " + digest, "/v2/" + REPO + "/manifests/" + digest, 0, null));
            cases.add(send("mount " + digest, "POST", UPLOAD + "?mount=" + digest + "&from=" + REPO, "", 400,
                    "DIGEST_INVALID"));
            cases.add(send("upload ?digest=" + digest, "POST", UPLOAD + "?digest=" + digest, "abc", 400, "DIGEST_INVALID",
                    "Content-Type", "application/octet-stream"));
        }
        for (String tag : List.of("-lead", ".dot", "x".repeat(129), "a%2fb", "%00", "a%20b", "caf%C3%A9", "a*b", "%zz")) {
            cases.add(get("GET tag " + tag, "/v2/" + REPO + "/manifests/" + tag, 404, "MANIFEST_UNKNOWN"));
            cases.add(send("DELETE tag " + tag, "DELETE", "/v2/" + REPO + "/manifests/" + tag, null, 404, "MANIFEST_UNKNOWN"));
            cases.add(send("PUT tag " + tag, "PUT", "/v2/" + REPO + "/manifests/" + tag, "{}", 400, "MANIFEST_INVALID",
                    "Content-Type", RegistryHttp.OCI_MANIFEST));
        }
        cases.add(new Case("HEAD of an invalid tag", RawHttp.request("HEAD", "/v2/" + REPO + "/manifests/-x", null), 404, null));
        for (String body : List.of("", "not json", "[]", "null", "{\"schemaVersion\":99999999999999999999}",
                "{\"schemaVersion\":2,\"config\":\"x\"}", "{\"schemaVersion\":2,\"layers\":{}}", "[".repeat(5000),
                "{\"a\":".repeat(3000) + "1" + "}".repeat(3000), "\u00ff\u00fe\u0000{", "{\"schemaVersion\":2}{",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                        + "\"a\",\"digest\":\"sha256:zz\",\"size\":-1},\"layers\":[]}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                        + "\"a\",\"digest\":\"" + GOOD_DIGEST + "\",\"size\":99999999999999999999999},\"layers\":[]}")) {
            cases.add(send("manifest body " + abbreviate(body), "PUT", "/v2/" + REPO + "/manifests/t", body, 400,
                    "MANIFEST_INVALID", "Content-Type", RegistryHttp.OCI_MANIFEST));
        }
        cases.add(send("a manifest over the size limit", "PUT", "/v2/" + REPO + "/manifests/t", "{" + " ".repeat(70_000) + "}",
                413, "SIZE_INVALID", "Content-Type", RegistryHttp.OCI_MANIFEST));
        cases.add(send("a manifest of unknown blobs", "PUT", "/v2/" + REPO + "/manifests/t",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + GOOD_DIGEST + "\",\"size\":2},"
                        + "\"layers\":[]}", 400, "MANIFEST_BLOB_UNKNOWN", "Content-Type", RegistryHttp.OCI_MANIFEST));
        for (String range : List.of("abc", "0-", "-5", "5-1", "0-99999999999999999999", "99999999999999999999-1",
                "0x10-0x20", "1-2-3", " ", "0--1", "+1-+2", "1e3-2e3")) {
            cases.add(send("PATCH Content-Range " + range, "PATCH", "%UPLOAD%", "abc", 0, null,
                    "Content-Range", range, "Content-Type", "application/octet-stream"));
        }
        for (String range : List.of("bytes=99999999999999999999-", "bytes=5-1", "bytes=-99999999999999999999",
                "bytes=0-1,2-3", "bytes=x-y", "items=0-1", "bytes=-0", "bytes=1000000-")) {
            cases.add(new Case("GET blob Range " + range, "%BLOB% Range: " + range, -1, null));
        }
        for (String uuid : List.of("not-a-uuid", "00000000-0000-0000-0000-000000000000", "%zz", "..", "x".repeat(300))) {
            cases.add(send("PATCH upload " + abbreviate(uuid), "PATCH", UPLOAD + uuid, "abc", 404, "BLOB_UPLOAD_UNKNOWN",
                    "Content-Type", "application/octet-stream"));
            cases.add(send("PUT upload " + abbreviate(uuid), "PUT", UPLOAD + uuid + "?digest=" + GOOD_DIGEST, "", 404,
                    "BLOB_UPLOAD_UNKNOWN"));
            cases.add(get("GET upload " + abbreviate(uuid), UPLOAD + uuid, 404, "BLOB_UPLOAD_UNKNOWN"));
        }
        cases.add(send("PUT upload without digest", "PUT", "%UPLOAD%", "", 400, "DIGEST_INVALID"));
        cases.add(send("PUT upload of the wrong digest", "PUT", "%UPLOAD%?digest=" + GOOD_DIGEST, "abc", 400,
                "DIGEST_INVALID", "Content-Type", "application/octet-stream"));
        for (String n : List.of("99999999999999999999", "2147483648")) {
            cases.add(get("catalog n=" + n + " is cut to the maximum", "/v2/_catalog?n=" + n, 200, null));
        }
        for (String n : List.of("-1", "abc", "1e3", "0x10", "%zz", "%00", "%EF%BC%91", "+5", "%205", "%2B5")) {
            cases.add(get("catalog n=" + n, "/v2/_catalog?n=" + n, 400, "UNSUPPORTED"));
            cases.add(get("tags n=" + n, "/v2/" + REPO + "/tags/list?n=" + n, 400, "UNSUPPORTED"));
            cases.add(get("listing n=" + n, "/api/v1/artifacts?n=" + n, 400, "UNSUPPORTED"));
        }
        for (String query : List.of("last=%zz", "last=%", "last=%e", "q=%zz", "repository=%zz", "n=%G1", "last=a%00b",
                "q=%00", "type=x%00", "%00=1")) {
            cases.add(get("catalog ?" + query, "/v2/_catalog?" + query, 400, "UNSUPPORTED"));
            cases.add(get("listing ?" + query, "/api/v1/repositories?" + query, 400, "UNSUPPORTED"));
        }
        cases.add(get("a last of broken UTF-8", "/v2/_catalog?n=1&last=%C3", 200, null));
        cases.add(get("listing of an invalid repository", "/api/v1/artifacts?repository=Not_Valid", 400, "NAME_INVALID"));
        cases.add(get("an artifact without repository", "/api/v1/artifact?reference=v1", 400, "NAME_INVALID"));
        cases.add(get("an unknown path", "/v2/" + REPO + "/nothing", 404, "UNSUPPORTED"));
        cases.add(get("an unknown API path", "/api/v1/nothing", 404, "UNSUPPORTED"));
        cases.add(send("an unsupported method", "TRACE", "/v2/", null, 405, "UNSUPPORTED"));
        cases.add(send("PROPFIND on a manifest", "PROPFIND", "/v2/" + REPO + "/manifests/v1", null, 405, "UNSUPPORTED"));
        cases.add(get("an icon of an unknown type", "/api/v1/types/..%2f..%2fetc/icon.svg", 404, null));
        cases.add(send("a scan of a bad reference", "POST", "/api/v1/artifact/scan?repository=" + REPO + "&reference=-x", "",
                0, null));
        for (String authorization : List.of("Basic !!!", "Basic " + base64("nocolon"), "Basic " + base64("\u00ff\u00fe:x"),
                "Bearer", "Bearer a.b.c", "Bearer " + "x".repeat(4000), "Digest x", "Basic", "basic " + base64("a:b"))) {
            cases.add(send("Authorization " + abbreviate(authorization), "GET", "/v2/", null, 200, null,
                    "Authorization", authorization));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileInputIsAClientErrorWithASpecCode(Case hostile) throws Exception {
        RawHttp.Response response = RawHttp.exchange(registry.port(), resolve(hostile.request()).getBytes(StandardCharsets.ISO_8859_1));

        assertThat(response.status()).as("%s: %s", hostile, response.body()).isLessThan(500);
        if (hostile.status() > 0) {
            assertThat(response.status()).as("%s: %s", hostile, response.body()).isEqualTo(hostile.status());
        } else if (hostile.status() == 0) {
            assertThat(response.status()).as("%s: %s", hostile, response.body()).isBetween(400, 499);
        }
        if (response.status() >= 400 && !hostile.request().startsWith("HEAD")) {
            JsonNode error = RegistryHttp.JSON.readTree(response.body()).path("errors").get(0);
            ErrorCode code = ErrorCode.fromName(error.path("code").asText());
            assertThat(code.isSpec()).as("%s answered %s", hostile, response.body()).isTrue();
            assertThat(error.path("requestId").asText()).isEqualTo(response.header("X-Request-Id")).isNotEmpty();
            if (hostile.code() != null) {
                assertThat(code.name()).as(response.body()).isEqualTo(hostile.code());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void anErrorNamesTheClientsOwnRequestIdWhenItIsUsable() throws Exception {
        RawHttp.Response own = RawHttp.exchange(registry.port(), RawHttp.request("GET", "/v2/" + REPO + "/manifests/-x",
                null, "X-Request-Id", "trace-42.a:b"));
        RawHttp.Response odd = RawHttp.exchange(registry.port(), RawHttp.request("GET", "/v2/" + REPO + "/manifests/-x",
                null, "X-Request-Id", "no spaces please"));

        assertThat(own.header("X-Request-Id")).isEqualTo("trace-42.a:b");
        assertThat(RegistryHttp.JSON.readTree(own.body()).at("/errors/0/requestId").asText()).isEqualTo("trace-42.a:b");
        assertThat(odd.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        RawHttp.Response fine = RawHttp.exchange(registry.port(), RawHttp.request("GET", "/v2/", null));
        assertThat(fine.header("X-Request-Id")).as("a success needs no id").isNull();
    }

    /** Fills in what exists only once the server runs: an open upload, a stored blob. */
    private static String resolve(String request) {
        if (request.startsWith("%BLOB%")) {
            String range = request.substring("%BLOB% ".length());
            return RawHttp.request("GET", "/v2/" + REPO + "/blobs/" + layer, null, range.split(": ", 2));
        }
        return request.replace("%UPLOAD%", upload);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String abbreviate(String text) {
        String printable = text.chars().mapToObj(c -> c < 0x20 || c > 0x7e ? "?" : String.valueOf((char) c))
                .reduce("", String::concat);
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }
}
