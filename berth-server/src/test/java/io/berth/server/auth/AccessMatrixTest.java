package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static io.berth.server.auth.AuthHttp.json;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.anonymous;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.config.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Every route of the API against every kind of caller, each with the exact status: 401 with a {@code Bearer}
 * challenge, 403 {@code DENIED}, or the route's success status; a refusal's body is the error envelope and nothing
 * of the repository. Policies: the reader may pull {@code matrix/**}, the writer and the robot pull and push, the
 * deleter everything everywhere; anonymous callers may pull {@code public/**}.
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

    /** What a route does, which decides who may call it. */
    enum Kind { BASE, CATALOG, READ, WRITE, DELETE }

    enum Caller { ANONYMOUS, WRONG_PASSWORD, READER, WRITER, DELETER, ROBOT, EXPIRED_TOKEN, TAMPERED_TOKEN, OTHER_REPOSITORY_TOKEN }

    /** A request to one route, prepared (targets created) just before it is sent. */
    record Request(String method, String target, byte[] body, String... headers) {
    }

    record Route(String name, Kind kind, int success, Function<AuthHttp, Request> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Route> ROUTES = List.of(
            new Route("GET /v2/", Kind.BASE, 200, h -> new Request("GET", "/v2/", null)),
            new Route("HEAD /v2/", Kind.BASE, 200, h -> new Request("HEAD", "/v2/", null)),
            new Route("GET catalog", Kind.CATALOG, 200, h -> new Request("GET", "/v2/_catalog", null)),
            new Route("GET tags", Kind.READ, 200, h -> new Request("GET", "/v2/" + REPO + "/tags/list", null)),
            new Route("GET manifest", Kind.READ, 200, h -> new Request("GET", "/v2/" + REPO + "/manifests/v1", null,
                    "Accept", AuthHttp.OCI_MANIFEST)),
            new Route("HEAD manifest", Kind.READ, 200, h -> new Request("HEAD", "/v2/" + REPO + "/manifests/v1", null,
                    "Accept", AuthHttp.OCI_MANIFEST)),
            new Route("PUT manifest", Kind.WRITE, 201, h -> new Request("PUT", "/v2/" + REPO + "/manifests/t-"
                    + UUID.randomUUID().toString().substring(0, 8), manifest, "Content-Type", AuthHttp.OCI_MANIFEST)),
            new Route("DELETE manifest", Kind.DELETE, 202, h -> new Request("DELETE", "/v2/" + REPO + "/manifests/"
                    + freshManifest(h), null)),
            new Route("GET blob", Kind.READ, 200, h -> new Request("GET", "/v2/" + REPO + "/blobs/" + layerDigest, null)),
            new Route("HEAD blob", Kind.READ, 200, h -> new Request("HEAD", "/v2/" + REPO + "/blobs/" + layerDigest, null)),
            new Route("DELETE blob", Kind.DELETE, 202, h -> new Request("DELETE", "/v2/" + REPO + "/blobs/"
                    + h.pushBlob(REPO, AuthHttp.random(16), ADMIN), null)),
            new Route("POST upload", Kind.WRITE, 202, h -> new Request("POST", "/v2/" + REPO + "/blobs/uploads/", null)),
            new Route("POST mount", Kind.WRITE, 201, h -> new Request("POST", "/v2/" + REPO + "/blobs/uploads/?mount="
                    + layerDigest + "&from=" + REPO, null)),
            new Route("GET upload", Kind.WRITE, 204, h -> new Request("GET", upload(h), null)),
            new Route("PATCH upload", Kind.WRITE, 202, h -> new Request("PATCH", upload(h), new byte[] {1, 2, 3},
                    "Content-Type", "application/octet-stream")),
            new Route("PUT upload", Kind.WRITE, 201, h -> {
                byte[] content = AuthHttp.random(20);
                return new Request("PUT", upload(h) + "?digest=" + AuthHttp.sha256(content), content,
                        "Content-Type", "application/octet-stream");
            }),
            new Route("DELETE upload", Kind.WRITE, 204, h -> new Request("DELETE", upload(h), null)),
            new Route("GET referrers", Kind.READ, 200, h -> new Request("GET", "/v2/" + REPO + "/referrers/" + manifestDigest, null)));

    @BeforeAll
    static void start() {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "reader", "reader-pw", "writer", "writer-pw",
                "deleter", "deleter-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(
                        users("matrix/**", List.of("reader"), "pull"),
                        users("matrix/**", List.of("writer"), "pull", "push"),
                        users("**", List.of("deleter"), "*"),
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

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Caller caller : Caller.values()) {
            for (Route route : ROUTES) {
                cases.add(Arguments.of(caller, route));
            }
        }
        return cases.stream();
    }

    /** The status the caller gets on a route of this kind; 0 for the route's success status. */
    static int expected(Caller caller, Kind kind) {
        return switch (caller) {
            case ANONYMOUS -> kind == Kind.CATALOG ? 0 : 401;
            case WRONG_PASSWORD, EXPIRED_TOKEN, TAMPERED_TOKEN -> 401;
            case READER -> kind == Kind.WRITE || kind == Kind.DELETE ? 403 : 0;
            case WRITER, ROBOT -> kind == Kind.DELETE ? 403 : 0;
            case DELETER -> 0;
            case OTHER_REPOSITORY_TOKEN -> kind == Kind.BASE ? 0 : 401;
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("matrix")
    void everyRouteForEveryCaller(Caller caller, Route route) {
        Request request = route.request().apply(http);
        int expected = expected(caller, route.kind());
        HttpResponse<byte[]> response = http.send(request.method(), request.target(), request.body(), AUTH.get(caller),
                request.headers());

        String body = text(response);
        if (expected == 0) {
            assertThat(response.statusCode()).as("%s %s: %s", caller, route, body).isEqualTo(route.success());
            return;
        }
        assertThat(response.statusCode()).as("%s %s: %s", caller, route, body).isEqualTo(expected);
        if (!request.method().equals("HEAD")) {
            assertThat(AuthHttp.json(response).path("errors").get(0).path("code").asText())
                    .isEqualTo(expected == 401 ? "UNAUTHORIZED" : "DENIED");
        } else {
            assertThat(response.body()).isEmpty();
        }
        assertThat(body).as("a refusal tells nothing of the repository").doesNotContain("sha256:", REPO, "\"v1\"",
                "hidden", "public");
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        if (expected == 403) {
            assertThat(challenge).isEmpty();
            return;
        }
        assertThat(challenge).startsWith("Bearer realm=\"http://" + registry.hostPort() + "/token\",service=\"berth\"");
        if (route.kind() == Kind.READ || route.kind() == Kind.WRITE || route.kind() == Kind.DELETE) {
            assertThat(challenge).contains(",scope=\"repository:" + REPO + ":");
        } else if (route.kind() == Kind.CATALOG) {
            assertThat(challenge).contains(",scope=\"registry:catalog:*\"");
        }
        switch (caller) {
            case EXPIRED_TOKEN, TAMPERED_TOKEN -> assertThat(challenge).endsWith(",error=\"invalid_token\"");
            case OTHER_REPOSITORY_TOKEN -> assertThat(challenge).endsWith(",error=\"insufficient_scope\"");
            default -> assertThat(challenge).doesNotContain("error=");
        }
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
        assertThat(text(existing)).isEqualTo(text(missing));
        HttpResponse<byte[]> anonymousExisting = http.get("/v2/hidden/app/manifests/v1", null);
        HttpResponse<byte[]> anonymousMissing = http.get("/v2/hidden/nothing/manifests/v1", null);
        assertThat(anonymousExisting.statusCode()).isEqualTo(401);
        assertThat(anonymousMissing.statusCode()).isEqualTo(401);
        assertThat(text(anonymousExisting)).isEqualTo(text(anonymousMissing));
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
