package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static io.berth.server.auth.AuthHttp.json;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.anonymous;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.auth.AuthConfig;
import io.berth.server.http.Access;
import io.berth.server.http.Route;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The access matrix, generated from the server's own route table: every route × every kind of caller, with the
 * expected outcome derived from the {@link Access} the route declares — the route's success status, 401 with a
 * {@code Bearer} challenge, or 403 {@code DENIED}; a refusal's body is the error envelope and nothing of the
 * repository. Each route needs a sample request below: a route added to the table without one fails
 * {@link #everyRouteOfTheTableHasASampleRequest}, and one that docs/routes.md does not list fails
 * {@link #theDocsListEveryRouteWithItsAccess}. Policies: the reader may pull {@code matrix/**}, the writer and the
 * robot pull and push, the deleter everything everywhere (which makes it the registry's admin), the other user pulls
 * and pushes {@code other/**} only; anonymous callers may pull {@code public/**}.
 */
class AccessMatrixTest {
    static final String REPO = "matrix/app";

    @TempDir
    static Path dir;
    static BerthFixture registry;
    static AuthHttp http;
    static final String ADMIN = basic("deleter", "deleter-pw");
    static byte[] manifest;
    static String manifestDigest;
    static String layerDigest;
    static final Map<Caller, String> AUTH = new java.util.EnumMap<>(Caller.class);

    /** What a route's access comes to, which decides who may call it. */
    enum Kind { PUBLIC, BASE, CATALOG, READ, WRITE, DELETE, ADMIN, METRICS }

    enum Caller { ANONYMOUS, WRONG_PASSWORD, READER, WRITER, DELETER, ROBOT, OTHER_USER, EXPIRED_TOKEN, TAMPERED_TOKEN,
        OTHER_REPOSITORY_TOKEN }

    /** A request to one route, prepared (targets created) just before it is sent. */
    record Request(String method, String target, byte[] body, String... headers) {
    }

    /**
     * How to call one route of the table and what it answers when let in.
     *
     * @param refused the statuses of callers the route itself refuses after the access check (the token endpoint
     *                authenticates the caller: that is what it is for)
     */
    record Sample(String route, int success, Function<AuthHttp, Request> request, Map<Caller, Integer> refused) {
        Sample(String route, int success, Function<AuthHttp, Request> request) {
            this(route, success, request, Map.of());
        }

        @Override
        public String toString() {
            return route;
        }
    }

    private static final String MANIFEST = "/v2/{name}/manifests/{reference}";
    private static final String UPLOAD = "/v2/{name}/blobs/uploads/{uuid}";
    private static final String SCAN = "/api/v1/artifact/scan?repository=" + REPO + "&reference=v1";
    /** A listed artifact of a repository the caller may not pull looks missing. */
    private static final Map<Caller, Integer> UNLISTED = Map.of(Caller.ANONYMOUS, 404, Caller.OTHER_USER, 404);
    private static final Map<Caller, Integer> TOKEN_REFUSALS = Map.of(Caller.WRONG_PASSWORD, 401,
            Caller.EXPIRED_TOKEN, 401, Caller.TAMPERED_TOKEN, 401, Caller.OTHER_REPOSITORY_TOKEN, 401);

    static final List<Sample> SAMPLES = List.of(
            new Sample("GET /healthz", 200, h -> new Request("GET", "/healthz", null)),
            new Sample("HEAD /healthz", 200, h -> new Request("HEAD", "/healthz", null)),
            new Sample("GET /readyz", 200, h -> new Request("GET", "/readyz", null)),
            new Sample("HEAD /readyz", 200, h -> new Request("HEAD", "/readyz", null)),
            new Sample("GET /metrics", 200, h -> new Request("GET", "/metrics", null)),
            new Sample("HEAD /metrics", 200, h -> new Request("HEAD", "/metrics", null)),
            new Sample("GET /v2/", 200, h -> new Request("GET", "/v2/", null)),
            new Sample("HEAD /v2/", 200, h -> new Request("HEAD", "/v2/", null)),
            new Sample("GET /v2/_catalog", 200, h -> new Request("GET", "/v2/_catalog", null)),
            new Sample("GET /v2/{name}/tags/list", 200, h -> new Request("GET", "/v2/" + REPO + "/tags/list", null)),
            new Sample("GET " + MANIFEST, 200, h -> new Request("GET", "/v2/" + REPO + "/manifests/v1", null,
                    "Accept", AuthHttp.OCI_MANIFEST)),
            new Sample("HEAD " + MANIFEST, 200, h -> new Request("HEAD", "/v2/" + REPO + "/manifests/v1", null,
                    "Accept", AuthHttp.OCI_MANIFEST)),
            new Sample("PUT " + MANIFEST, 201, h -> new Request("PUT", "/v2/" + REPO + "/manifests/t-"
                    + UUID.randomUUID().toString().substring(0, 8), manifest, "Content-Type", AuthHttp.OCI_MANIFEST)),
            new Sample("DELETE " + MANIFEST, 202, h -> new Request("DELETE", "/v2/" + REPO + "/manifests/"
                    + freshManifest(h), null)),
            new Sample("GET /v2/{name}/blobs/{digest}", 200, h -> new Request("GET", "/v2/" + REPO + "/blobs/"
                    + layerDigest, null)),
            new Sample("HEAD /v2/{name}/blobs/{digest}", 200, h -> new Request("HEAD", "/v2/" + REPO + "/blobs/"
                    + layerDigest, null)),
            new Sample("DELETE /v2/{name}/blobs/{digest}", 202, h -> new Request("DELETE", "/v2/" + REPO + "/blobs/"
                    + h.pushBlob(REPO, AuthHttp.random(16), ADMIN), null)),
            new Sample("POST /v2/{name}/blobs/uploads/", 202, h -> new Request("POST", "/v2/" + REPO + "/blobs/uploads/",
                    null)),
            new Sample("GET " + UPLOAD, 204, h -> new Request("GET", upload(h), null)),
            new Sample("PATCH " + UPLOAD, 202, h -> new Request("PATCH", upload(h), new byte[] {1, 2, 3},
                    "Content-Type", "application/octet-stream")),
            new Sample("PUT " + UPLOAD, 201, h -> {
                byte[] content = AuthHttp.random(20);
                return new Request("PUT", upload(h) + "?digest=" + AuthHttp.sha256(content), content,
                        "Content-Type", "application/octet-stream");
            }),
            new Sample("DELETE " + UPLOAD, 204, h -> new Request("DELETE", upload(h), null)),
            new Sample("GET /v2/{name}/referrers/{digest}", 200, h -> new Request("GET", "/v2/" + REPO + "/referrers/"
                    + manifestDigest, null)),
            new Sample("GET /api/v1/types", 200, h -> new Request("GET", "/api/v1/types", null)),
            new Sample("HEAD /api/v1/types", 200, h -> new Request("HEAD", "/api/v1/types", null)),
            new Sample("GET /api/v1/types/{type}/icon.svg", 200, h -> new Request("GET", "/api/v1/types/oci-image/icon.svg",
                    null)),
            new Sample("HEAD /api/v1/types/{type}/icon.svg", 200, h -> new Request("HEAD",
                    "/api/v1/types/oci-image/icon.svg", null)),
            new Sample("GET /api/v1/repositories", 200, h -> new Request("GET", "/api/v1/repositories", null)),
            new Sample("HEAD /api/v1/repositories", 200, h -> new Request("HEAD", "/api/v1/repositories", null)),
            new Sample("GET /api/v1/artifacts", 200, h -> new Request("GET", "/api/v1/artifacts", null)),
            new Sample("HEAD /api/v1/artifacts", 200, h -> new Request("HEAD", "/api/v1/artifacts", null)),
            new Sample("GET /api/v1/artifact", 200, h -> new Request("GET", "/api/v1/artifact?repository=" + REPO
                    + "&reference=v1", null), UNLISTED),
            new Sample("HEAD /api/v1/artifact", 200, h -> new Request("HEAD", "/api/v1/artifact?repository=" + REPO
                    + "&reference=v1", null), UNLISTED),
            new Sample("GET /api/v1/artifact/scan", 200, h -> new Request("GET", SCAN, null)),
            new Sample("HEAD /api/v1/artifact/scan", 200, h -> new Request("HEAD", SCAN, null)),
            new Sample("POST /api/v1/artifact/scan", 200, h -> new Request("POST", SCAN, null)),
            new Sample("GET /api/v1/scanners", 200, h -> new Request("GET", "/api/v1/scanners", null)),
            new Sample("HEAD /api/v1/scanners", 200, h -> new Request("HEAD", "/api/v1/scanners", null)),
            new Sample("GET /api/v1/events/endpoints", 200, h -> new Request("GET", "/api/v1/events/endpoints", null)),
            new Sample("HEAD /api/v1/events/endpoints", 200, h -> new Request("HEAD", "/api/v1/events/endpoints", null)),
            new Sample("GET /api/v1/events/metrics", 200, h -> new Request("GET", "/api/v1/events/metrics", null)),
            new Sample("HEAD /api/v1/events/metrics", 200, h -> new Request("HEAD", "/api/v1/events/metrics", null)),
            new Sample("GET /api/v1/admin/storage", 200, h -> new Request("GET", "/api/v1/admin/storage", null)),
            new Sample("HEAD /api/v1/admin/storage", 200, h -> new Request("HEAD", "/api/v1/admin/storage", null)),
            new Sample("POST /api/v1/admin/gc", 200, h -> new Request("POST", "/api/v1/admin/gc?dryRun=true", null)),
            new Sample("GET /api/v1/admin/gc", 200, h -> new Request("GET", "/api/v1/admin/gc", null)),
            new Sample("HEAD /api/v1/admin/gc", 200, h -> new Request("HEAD", "/api/v1/admin/gc", null)),
            // Resumed at once by the next sample: a paused registry refuses the POST above.
            new Sample("POST /api/v1/admin/gc/pause", 200, h -> new Request("POST", "/api/v1/admin/gc/pause", null)),
            new Sample("POST /api/v1/admin/gc/resume", 200, h -> new Request("POST", "/api/v1/admin/gc/resume", null)),
            new Sample("GET /api/v1/admin/read-only", 200, h -> new Request("GET", "/api/v1/admin/read-only", null)),
            new Sample("HEAD /api/v1/admin/read-only", 200, h -> new Request("HEAD", "/api/v1/admin/read-only", null)),
            // Off, so that the samples after it can still write.
            new Sample("POST /api/v1/admin/read-only", 200, h -> new Request("POST",
                    "/api/v1/admin/read-only?enabled=false", null)),
            new Sample("POST /api/v1/admin/scrub", 200, h -> new Request("POST", "/api/v1/admin/scrub", null)),
            new Sample("GET /api/v1/admin/scrub", 200, h -> new Request("GET", "/api/v1/admin/scrub", null)),
            new Sample("HEAD /api/v1/admin/scrub", 200, h -> new Request("HEAD", "/api/v1/admin/scrub", null)),
            new Sample("GET /api/v1/admin/retention/preview", 200,
                    h -> new Request("GET", "/api/v1/admin/retention/preview", null)),
            new Sample("HEAD /api/v1/admin/retention/preview", 200,
                    h -> new Request("HEAD", "/api/v1/admin/retention/preview", null)),
            new Sample("POST /api/v1/admin/retention", 200,
                    h -> new Request("POST", "/api/v1/admin/retention?dryRun=true", null)),
            new Sample("GET /token", 200, h -> new Request("GET", "/token?service=berth&scope=repository:" + REPO + ":pull",
                    null), TOKEN_REFUSALS),
            new Sample("HEAD /token", 200, h -> new Request("HEAD", "/token?service=berth", null), TOKEN_REFUSALS),
            new Sample("POST /token", 200, h -> new Request("POST", "/token", "service=berth".getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/x-www-form-urlencoded"), TOKEN_REFUSALS),
            new Sample("POST /token/revoke", 200, h -> new Request("POST", "/token/revoke",
                    "token=not-a-token".getBytes(StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded")),
            new Sample("POST /api/v1/accounts/{account}/revoke", 200, h -> new Request("POST",
                    "/api/v1/accounts/nobody/revoke", null)),
            new Sample("GET /token/jwks", 200, h -> new Request("GET", "/token/jwks", null)),
            new Sample("HEAD /token/jwks", 200, h -> new Request("HEAD", "/token/jwks", null)),
            new Sample("GET /", 200, h -> new Request("GET", "/", null)),
            new Sample("HEAD /", 200, h -> new Request("HEAD", "/", null)),
            new Sample("GET /types", 200, h -> new Request("GET", "/types", null)),
            new Sample("HEAD /types", 200, h -> new Request("HEAD", "/types", null)),
            new Sample("GET /storage", 200, h -> new Request("GET", "/storage", null)),
            new Sample("HEAD /storage", 200, h -> new Request("HEAD", "/storage", null)),
            new Sample("GET /r/**", 200, h -> new Request("GET", "/r/" + REPO, null)),
            new Sample("HEAD /r/**", 200, h -> new Request("HEAD", "/r/" + REPO, null)),
            new Sample("GET /ui/**", 200, h -> new Request("GET", "/ui/app.js", null)),
            new Sample("HEAD /ui/**", 200, h -> new Request("HEAD", "/ui/app.js", null)));

    @BeforeAll
    static void start() {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "reader", "reader-pw", "writer", "writer-pw",
                "deleter", "deleter-pw", "other", "other-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(
                        users("matrix/**", List.of("reader"), "pull"),
                        users("matrix/**", List.of("writer"), "pull", "push"),
                        users("**", List.of("deleter"), "*"),
                        users("other/**", List.of("other"), "pull", "push"),
                        anonymous("public/**", "pull")))
                .withRobots(List.of(AuthSetup.robot("ci", "robot-token", users("matrix/**", List.of(), "pull", "push"))))
                .withRateLimit(new AuthConfig.RateLimit(100_000, Duration.ofMinutes(1), Duration.ofMinutes(1)));
        registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth));
        http = new AuthHttp(registry.baseUri());
        manifest = http.pushImage(REPO, "v1", ADMIN);
        manifestDigest = AuthHttp.sha256(manifest);
        layerDigest = json(manifestBody()).path("layers").get(0).path("digest").asText();
        http.pushImage("public/app", "v1", ADMIN);
        http.pushImage("hidden/app", "v1", ADMIN);

        String all = "repository:" + REPO + ":pull,push,delete";
        AUTH.put(Caller.WRONG_PASSWORD, basic("writer", "not-the-password"));
        AUTH.put(Caller.READER, basic("reader", "reader-pw"));
        AUTH.put(Caller.WRITER, basic("writer", "writer-pw"));
        AUTH.put(Caller.DELETER, ADMIN);
        AUTH.put(Caller.ROBOT, basic("robot$ci", "robot-token"));
        AUTH.put(Caller.OTHER_USER, basic("other", "other-pw"));
        Instant now = Instant.now();
        AUTH.put(Caller.EXPIRED_TOKEN, bearer(AuthSetup.sign(AuthSetup.serverKey(dir.resolve("data")),
                AuthSetup.claims("deleter", now.minusSeconds(1200), now.minusSeconds(600), REPO, "pull", "push", "delete").build())));
        AUTH.put(Caller.TAMPERED_TOKEN, bearer(AuthSetup.tampered(http.token(ADMIN, all, "registry:catalog:*"))));
        AUTH.put(Caller.OTHER_REPOSITORY_TOKEN, bearer(http.token(ADMIN, "repository:elsewhere/app:pull,push,delete")));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpResponse<byte[]> manifestBody() {
        return http.send("GET", "/v2/" + REPO + "/manifests/v1", null, ADMIN, "Accept", AuthHttp.OCI_MANIFEST);
    }

    /** A manifest only this request will delete: v1's with a unique annotation, pushed by the admin. */
    private static String freshManifest(AuthHttp h) {
        String json = new String(manifest, StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"annotations\":{\"n\":\"" + UUID.randomUUID() + "\"},");
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        String digest = AuthHttp.sha256(bytes);
        HttpResponse<byte[]> put = h.send("PUT", "/v2/" + REPO + "/manifests/" + digest, bytes, ADMIN,
                "Content-Type", AuthHttp.OCI_MANIFEST);
        assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
        return digest;
    }

    /** An upload session started by the admin. */
    private static String upload(AuthHttp h) {
        HttpResponse<byte[]> post = h.send("POST", "/v2/" + REPO + "/blobs/uploads/", null, ADMIN);
        assertThat(post.statusCode()).as(text(post)).isEqualTo(202);
        return post.headers().firstValue("Location").orElseThrow();
    }

    /** The routes of the running server, by id. */
    static Map<String, Route> table() {
        Map<String, Route> table = new LinkedHashMap<>();
        registry.routes().forEach(route -> table.put(route.id(), route));
        return table;
    }

    @Test
    void everyRouteOfTheTableHasASampleRequest() {
        assertThat(SAMPLES.stream().map(Sample::route)).as("samples of routes the table has")
                .containsExactlyInAnyOrderElementsOf(table().keySet());
    }

    /** docs/routes.md lists every route with the access it declares, and nothing else. */
    @Test
    void theDocsListEveryRouteWithItsAccess() throws java.io.IOException {
        Path docs = Path.of("..", "docs", "routes.md");
        Map<String, String> documented = new LinkedHashMap<>();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| `([A-Z]+ [^`]+)` \\| ([^|]+) \\|.*");
        for (String line : java.nio.file.Files.readAllLines(docs)) {
            java.util.regex.Matcher m = row.matcher(line);
            if (m.matches()) {
                documented.put(m.group(1), m.group(2).trim());
            }
        }
        Map<String, String> declared = new LinkedHashMap<>();
        table().forEach((id, route) -> declared.put(id, route.access().toString()));
        assertThat(documented).isEqualTo(declared);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Caller caller : Caller.values()) {
            for (Sample sample : SAMPLES) {
                cases.add(Arguments.of(caller, sample));
            }
        }
        return cases.stream();
    }

    /** What the route's declared access comes to. */
    static Kind kind(Access access) {
        return switch (access.kind()) {
            case PUBLIC -> Kind.PUBLIC;
            case IDENTITY -> Kind.BASE;
            case CATALOG -> Kind.CATALOG;
            case ADMIN -> Kind.ADMIN;
            case METRICS -> Kind.METRICS;
            case REPOSITORY, REPOSITORY_PARAMETER -> access.actions().contains(Action.DELETE) ? Kind.DELETE
                    : access.actions().contains(Action.PUSH) ? Kind.WRITE : Kind.READ;
        };
    }

    /** The status the caller gets on a route of this kind; 0 for the route's success status. */
    static int expected(Caller caller, Kind kind) {
        if (kind == Kind.PUBLIC) {
            return 0;
        }
        return switch (caller) {
            case ANONYMOUS -> kind == Kind.CATALOG ? 0 : 401;
            case WRONG_PASSWORD, EXPIRED_TOKEN, TAMPERED_TOKEN -> 401;
            case READER -> kind == Kind.WRITE || kind == Kind.DELETE || kind == Kind.ADMIN || kind == Kind.METRICS ? 403 : 0;
            case WRITER, ROBOT -> kind == Kind.DELETE || kind == Kind.ADMIN || kind == Kind.METRICS ? 403 : 0;
            case OTHER_USER -> kind == Kind.BASE || kind == Kind.CATALOG ? 0 : 403;
            case DELETER -> 0;
            case OTHER_REPOSITORY_TOKEN -> kind == Kind.BASE ? 0 : 401;
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("matrix")
    void everyRouteForEveryCaller(Caller caller, Sample sample) {
        Route route = table().get(sample.route());
        assertThat(route).as("the table has %s", sample.route()).isNotNull();
        Kind kind = kind(route.access());
        Request request = sample.request().apply(http);
        int expected = sample.refused().getOrDefault(caller, expected(caller, kind));
        HttpResponse<byte[]> response = http.send(request.method(), request.target(), request.body(), AUTH.get(caller),
                request.headers());

        String body = text(response);
        if (expected == 0) {
            assertThat(response.statusCode()).as("%s %s: %s", caller, sample, body).isEqualTo(sample.success());
            return;
        }
        assertThat(response.statusCode()).as("%s %s: %s", caller, sample, body).isEqualTo(expected);
        if (!request.method().equals("HEAD")) {
            assertThat(AuthHttp.json(response).path("errors").get(0).path("code").asText())
                    .isEqualTo(expected == 401 ? "UNAUTHORIZED" : expected == 403 ? "DENIED" : "MANIFEST_UNKNOWN");
        } else {
            assertThat(response.body()).isEmpty();
        }
        if (expected == 404) {
            assertThat(body).doesNotContain("sha256:");
            return;
        }
        assertThat(body).as("a refusal tells nothing of the repository").doesNotContain("sha256:", REPO, "\"v1\"",
                "hidden", "public");
        if (kind == Kind.PUBLIC) {
            return; // the token endpoint's own refusals: covered by TokenEndpointTest
        }
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        if (expected == 403) {
            assertThat(challenge).isEmpty();
            return;
        }
        assertThat(challenge).startsWith("Bearer realm=\"http://" + registry.hostPort() + "/token\",service=\"berth\"");
        switch (kind) {
            case READ, WRITE, DELETE -> assertThat(challenge).contains(",scope=\"repository:" + REPO + ":");
            case CATALOG -> assertThat(challenge).contains(",scope=\"registry:catalog:*\"");
            case ADMIN -> assertThat(challenge).contains(",scope=\"registry:admin:*\"");
            case METRICS -> assertThat(challenge).contains(",scope=\"registry:metrics:*\"");
            default -> assertThat(challenge).doesNotContain("scope=");
        }
        switch (caller) {
            case EXPIRED_TOKEN, TAMPERED_TOKEN -> assertThat(challenge).endsWith(",error=\"invalid_token\"");
            case OTHER_REPOSITORY_TOKEN -> assertThat(challenge).endsWith(",error=\"insufficient_scope\"");
            default -> assertThat(challenge).doesNotContain("error=");
        }
    }

    @Test
    void onlyAnAdminGetsATokenForTheAdminRoutes() {
        String admin = http.token(ADMIN, "registry:admin:*");
        assertThat(http.get("/api/v1/scanners", bearer(admin)).statusCode()).isEqualTo(200);
        String reader = http.token(AUTH.get(Caller.READER), "registry:admin:*");
        assertThat(http.get("/api/v1/scanners", bearer(reader)).statusCode()).as("the reader's token lacks it")
                .isEqualTo(403);
        HttpResponse<byte[]> without = http.get("/api/v1/events/endpoints", bearer(http.token(ADMIN, "registry:catalog:*")));
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("scope=\"registry:admin:*\"", "error=\"insufficient_scope\"");
    }

    @Test
    void malformedEncodingOnTheTokenEndpointIsA400() throws Exception {
        int port = registry.port();
        for (String request : List.of(RawHttp.request("GET", "/token?service=berth&scope=%zz", null),
                RawHttp.request("POST", "/token", "grant_type=password&username=%zz", "Content-Type",
                        "application/x-www-form-urlencoded"),
                RawHttp.request("POST", "/token/revoke", "token=%", "Content-Type", "application/x-www-form-urlencoded"))) {
            RawHttp.Response response = RawHttp.exchange(port, request);
            assertThat(response.status()).as(request).isEqualTo(400);
            assertThat(AuthHttp.JSON.readTree(response.body()).at("/errors/0/code").asText()).isEqualTo("UNSUPPORTED");
        }
        // and over plain HTTP without TLS there is no HSTS
        assertThat(http.get("/v2/", ADMIN).headers().firstValue("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void theCatalogListsOnlyWhatTheCallerMayPull() {
        assertThat(catalog(null)).containsExactly("public/app");
        assertThat(catalog(AUTH.get(Caller.READER))).containsExactly("matrix/app", "public/app");
        assertThat(catalog(AUTH.get(Caller.ROBOT))).containsExactly("matrix/app", "public/app");
        assertThat(catalog(ADMIN)).containsExactly("hidden/app", "matrix/app", "public/app");
        // a token with the catalog scope lists what its account may pull
        String token = http.token(AUTH.get(Caller.READER), "registry:catalog:*");
        assertThat(catalog(bearer(token))).containsExactly("matrix/app", "public/app");
    }

    @Test
    void theCatalogPagesOverTheReadableRepositoriesOnly() {
        HttpResponse<byte[]> first = http.get("/v2/_catalog?n=1", AUTH.get(Caller.READER));
        assertThat(names(first)).containsExactly("matrix/app");
        String next = first.headers().firstValue("Link").orElseThrow();
        assertThat(next).contains("last=matrix%2Fapp");
        HttpResponse<byte[]> second = http.get("/v2/_catalog?n=1&last=matrix%2Fapp", AUTH.get(Caller.READER));
        assertThat(names(second)).containsExactly("public/app");
        assertThat(second.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void aRepositoryOutOfReachIsRefusedAlikeWhetherItExistsOrNot() {
        HttpResponse<byte[]> existing = http.get("/v2/hidden/app/tags/list", AUTH.get(Caller.READER));
        HttpResponse<byte[]> missing = http.get("/v2/hidden/nothing/tags/list", AUTH.get(Caller.READER));
        assertThat(existing.statusCode()).isEqualTo(403);
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(withoutRequestId(existing)).isEqualTo(withoutRequestId(missing));
        HttpResponse<byte[]> anonymousExisting = http.get("/v2/hidden/app/manifests/v1", null);
        HttpResponse<byte[]> anonymousMissing = http.get("/v2/hidden/nothing/manifests/v1", null);
        assertThat(anonymousExisting.statusCode()).isEqualTo(401);
        assertThat(anonymousMissing.statusCode()).isEqualTo(401);
        assertThat(withoutRequestId(anonymousExisting)).isEqualTo(withoutRequestId(anonymousMissing));
    }

    @Test
    void anonymousPullIsAllowedWherePoliciesSaySo() {
        assertThat(http.send("GET", "/v2/public/app/manifests/v1", null, null, "Accept", AuthHttp.OCI_MANIFEST)
                .statusCode()).isEqualTo(200);
        assertThat(http.send("POST", "/v2/public/app/blobs/uploads/", null, null).statusCode()).isEqualTo(401);
        // what anonymous callers may do, a signed-in user may do too
        assertThat(http.get("/v2/public/app/tags/list", AUTH.get(Caller.READER)).statusCode()).isEqualTo(200);
    }

    @Test
    void mountingWithoutPullOnTheSourceIsANormalUpload() {
        String hiddenLayer = json(http.send("GET", "/v2/hidden/app/manifests/v1", null, ADMIN, "Accept",
                AuthHttp.OCI_MANIFEST)).path("layers").get(0).path("digest").asText();

        HttpResponse<byte[]> denied = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?mount=" + hiddenLayer
                + "&from=hidden/app", null, AUTH.get(Caller.WRITER));
        HttpResponse<byte[]> deniedWithoutFrom = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?mount="
                + hiddenLayer, null, AUTH.get(Caller.WRITER));
        HttpResponse<byte[]> allowed = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?mount=" + hiddenLayer
                + "&from=hidden/app", null, ADMIN);

        assertThat(denied.statusCode()).as(text(denied)).isEqualTo(202);
        assertThat(denied.headers().firstValue("Location").orElseThrow()).contains("/v2/" + REPO + "/blobs/uploads/");
        assertThat(deniedWithoutFrom.statusCode()).as(text(deniedWithoutFrom)).isEqualTo(202);
        assertThat(allowed.statusCode()).as(text(allowed)).isEqualTo(201);
    }

    @Test
    void aTokenFromTheTokenEndpointOpensExactlyItsScope() {
        String token = http.token(AUTH.get(Caller.WRITER), "repository:" + REPO + ":pull,push");
        assertThat(http.get("/v2/" + REPO + "/tags/list", bearer(token)).statusCode()).isEqualTo(200);
        assertThat(http.send("POST", "/v2/" + REPO + "/blobs/uploads/", null, bearer(token)).statusCode()).isEqualTo(202);
        // delete is beyond what the writer may ever do: 403, not a request for another token
        assertThat(http.send("DELETE", "/v2/" + REPO + "/manifests/" + manifestDigest, null, bearer(token))
                .statusCode()).isEqualTo(403);
        // public/app is readable by the writer, but the token does not say so: get another token
        HttpResponse<byte[]> other = http.get("/v2/public/app/tags/list", bearer(token));
        assertThat(other.statusCode()).isEqualTo(401);
        assertThat(other.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
    }

    /** The body without the request's own id, which differs from request to request. */
    private static String withoutRequestId(HttpResponse<byte[]> response) {
        return text(response).replaceAll(",\"requestId\":\"[^\"]*\"", "");
    }

    private static List<String> catalog(String auth) {
        return names(http.get("/v2/_catalog", auth));
    }

    private static List<String> names(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        List<String> names = new ArrayList<>();
        JsonNode repositories = json(response).path("repositories");
        repositories.forEach(n -> names.add(n.asText()));
        return names;
    }
}
