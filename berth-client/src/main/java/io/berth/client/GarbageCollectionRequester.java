package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;

/** {@code POST /api/v1/admin/gc}: asks a Berth server to collect garbage now, for its operators. */
final class GarbageCollectionRequester {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Transport transport;

    GarbageCollectionRequester(Transport transport) {
        this.transport = transport;
    }

    /** The run's report: 200 when it finished, 202 when it was still running after the server's answer delay. */
    JsonNode collect(boolean dryRun) {
        Call call = Call.of("POST", transport.uri("/api/v1/admin/gc" + (dryRun ? "?dryRun=true" : "")), Scope.admin())
                .header("Accept", "application/json");
        try (Response response = transport.send(call)) {
            if (!response.is(200, 202)) {
                throw response.error();
            }
            return JSON.readTree(response.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("malformed garbage collection report", e);
        }
    }
}
