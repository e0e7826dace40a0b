package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /v2/_catalog}, every page. */
final class CatalogLister {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transport transport;

    CatalogLister(Transport transport) {
        this.transport = transport;
    }

    List<Repository> list() {
        Call call = Call.of("GET", transport.uri(Endpoint.CATALOG, new Object[0], "n", "1000"), Scope.catalog());
        return Pages.collect(transport, call, CatalogLister::names)
                .orElseThrow(() -> new RegistryClientException(ErrorCode.UNSUPPORTED, 404,
                        transport.registry() + " has no catalog API (GET /v2/_catalog answered 404)"));
    }

    private static List<Repository> names(byte[] body) {
        try {
            List<Repository> names = new ArrayList<>();
            for (JsonNode name : JSON.readTree(body).path("repositories")) {
                names.add(Repository.of(name.asText()));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("malformed catalog", e);
        }
    }
}
