package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Endpoint;
import io.berth.oci.Endpoint.Method;
import io.berth.server.auth.Action;
import io.berth.server.auth.OpenAccess;
import io.berth.server.auth.Scope;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The route table is data: what the server refuses to start with, and how paths and access are matched. */
class RouterTest {
    private static final RouteHandler OK = exchange -> Future.succeededFuture(Reply.status(200));

    private static Router.Builder everySpecRouteBut(Endpoint skipped, Method skippedMethod) {
        Router.Builder builder = Router.builder(null, OpenAccess.INSTANCE);
        for (Endpoint endpoint : Endpoint.values()) {
            for (Method method : endpoint.methods()) {
                if (!(endpoint == skipped && method == skippedMethod)) {
                    builder.on(endpoint, method, Access.IDENTITY, OK);
                }
            }
        }
        return builder;
    }

    @Test
    void anEndpointMethodWithoutHandlerIsAStartupError() {
        assertThatThrownBy(everySpecRouteBut(Endpoint.UPLOAD, Method.PATCH)::build)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("UPLOAD").hasMessageContaining("PATCH");
    }

    @Test
    void aMethodTheSpecDoesNotHaveCannotBeBound() {
        assertThatThrownBy(() -> Router.builder(null, OpenAccess.INSTANCE).on(Endpoint.TAGS, Method.DELETE, Access.IDENTITY, OK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRouteWithoutDeclaredAccessIsAStartupError() {
        assertThatThrownBy(() -> Router.builder(null, OpenAccess.INSTANCE).get("/api/v1/new", null, OK))
                .isInstanceOf(IllegalStateException.class).hasMessage("GET /api/v1/new declares no access");
    }

    @Test
    void aRouteDeclaredTwiceIsAStartupError() {
        assertThatThrownBy(() -> everySpecRouteBut(null, null).get("/healthz", Access.PUBLIC, OK)
                .on(HttpMethod.GET, "/healthz", Access.ADMIN, OK))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GET /healthz is declared twice");
    }

    @Test
    void everyRouteOfABuiltTableDeclaresItsAccess() {
        Router router = everySpecRouteBut(null, null).get("/healthz", Access.PUBLIC, OK).build();

        assertThat(router.routes()).allSatisfy(route -> assertThat(route.access()).isNotNull());
        assertThat(router.routes()).extracting(Route::id).contains("GET /healthz", "HEAD /healthz",
                "GET /v2/{name}/manifests/{reference}");
    }

    @Test
    void accessOnARepositoryNeedsActionsAndOnlyIt() {
        assertThatThrownBy(() -> new Access(Access.Kind.REPOSITORY, java.util.Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Access(Access.Kind.ADMIN, java.util.Set.of(Action.PULL)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessBecomesTheScopesTheControllerIsAskedFor() {
        PathVariables path = name -> "team/app";
        assertThat(Access.repository(Action.PULL, Action.PUSH).scopes(path, n -> Optional.empty()))
                .extracting(Scope::toString).containsExactly("repository:team/app:pull,push");
        assertThat(Access.repositoryParameter(Action.PULL).scopes(PathVariables.NONE, n -> Optional.of("other/app")))
                .extracting(Scope::toString).containsExactly("repository:other/app:pull");
        assertThat(Access.CATALOG.scopes(PathVariables.NONE, n -> Optional.empty())).containsExactly(Scope.CATALOG);
        assertThat(Access.ADMIN.scopes(PathVariables.NONE, n -> Optional.empty())).containsExactly(Scope.ADMIN);
        assertThat(Access.IDENTITY.scopes(PathVariables.NONE, n -> Optional.empty())).isEmpty();
        assertThatThrownBy(() -> Access.repositoryParameter(Action.PULL).scopes(PathVariables.NONE, n -> Optional.empty()))
                .hasMessageContaining("NAME_INVALID");
        assertThatThrownBy(() -> Access.repository(Action.PULL).scopes(name -> "Not/Valid", n -> Optional.empty()))
                .hasMessageContaining("NAME_INVALID");
    }

    @Test
    void pathPatternsMatchExactlyByVariableOrByPrefix() {
        assertThat(PathPattern.of("/healthz").match("/healthz")).isNotNull();
        assertThat(PathPattern.of("/healthz").match("/healthz/")).isNull();
        PathVariables icon = PathPattern.of("/api/v1/types/{type}/icon.svg").match("/api/v1/types/helm-chart/icon.svg");
        assertThat(icon.get("type")).isEqualTo("helm-chart");
        assertThat(PathPattern.of("/api/v1/types/{type}/icon.svg").match("/api/v1/types//icon.svg")).isNull();
        assertThat(PathPattern.of("/api/v1/types/{type}/icon.svg").match("/api/v1/types/a/b/icon.svg")).isNull();
        assertThat(PathPattern.of("/ui/**").match("/ui/app.js")).isNotNull();
        assertThat(PathPattern.of("/ui/**").match("/uix")).isNull();
        assertThat(PathPattern.of("/ui/**").template()).isEqualTo("/ui/**");
        assertThat(List.of(PathPattern.of(Endpoint.BLOB).match("/v2/a/b/blobs/sha256:x").get("name"))).containsExactly("a/b");
    }
}
