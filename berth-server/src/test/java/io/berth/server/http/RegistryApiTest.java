package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Endpoint;
import io.berth.oci.Endpoint.Method;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/** The route table is data: the server refuses to start with an endpoint method of the spec left unbound. */
class RegistryApiTest {
    private static final RouteHandler OK = exchange -> Future.succeededFuture(Reply.status(200));

    @Test
    void anEndpointMethodWithoutHandlerIsAStartupError() {
        RegistryApi.Builder builder = RegistryApi.builder(null);
        for (Endpoint endpoint : Endpoint.values()) {
            for (Method method : endpoint.methods()) {
                if (!(endpoint == Endpoint.UPLOAD && method == Method.PATCH)) {
                    builder.on(endpoint, method, OK);
                }
            }
        }

        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("UPLOAD").hasMessageContaining("PATCH");
    }

    @Test
    void aMethodTheSpecDoesNotHaveCannotBeBound() {
        assertThatThrownBy(() -> RegistryApi.builder(null).on(Endpoint.TAGS, Method.DELETE, OK))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
