package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/admin/retention/preview} and {@code POST /api/v1/admin/retention}: what a Berth server's
 * retention policies would delete, and running them, for its operators.
 */
final class RetentionRequester {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Transport transport;

    RetentionRequester(Transport transport) {
        this.transport = transport;
    }

    JsonNode preview() {
        return report(Call.of("GET", transport.uri("/api/v1/admin/retention/preview"), Scope.admin()));
    }

    JsonNode run(boolean dryRun) {
        return report(Call.of("POST", transport.uri("/api/v1/admin/retention" + (dryRun ? "?dryRun=true" : "")),
                Scope.admin()));
    }

    private JsonNode report(Call call) {
        try (Response response = transport.send(call.header("Accept", "application/json"))) {
            if (!response.is(200)) {
                throw response.error();
            }
            return JSON.readTree(response.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("malformed retention report", e);
        }
    }
}
