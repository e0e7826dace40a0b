package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;

/** {@code POST} and {@code GET /api/v1/admin/scrub}: asks a Berth server to verify its stored blobs, for its operators. */
final class ScrubRequester {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/api/v1/admin/scrub";

    private final Transport transport;

    ScrubRequester(Transport transport) {
        this.transport = transport;
    }

    /** Starts a scrub: its report, final (200) or so far (202, status running). */
    JsonNode start() {
        return send("POST");
    }

    /** The server's recent scrubs: {@code {"running", "bytesPerSecond", "runs": [...]}}. */
    JsonNode recent() {
        return send("GET");
    }

    private JsonNode send(String method) {
        Call call = Call.of(method, transport.uri(PATH), Scope.admin()).header("Accept", "application/json");
        try (Response response = transport.send(call)) {
            if (!response.is(200, 202)) {
                throw response.error();
            }
            return JSON.readTree(response.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("malformed scrub report", e);
        }
    }
}
