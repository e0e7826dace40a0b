package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.ErrorCode;
import java.nio.charset.StandardCharsets;

/** Reads the spec's {@code {"errors":[{"code","message","detail"}]}} back into {@link ErrorCode}. */
final class ErrorEnvelope {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorEnvelope() {
    }

    static RegistryClientException parse(Response response, byte[] body) {
        int status = response.status();
        String where = response.call().toString();
        try {
            JsonNode errors = body.length == 0 ? null : JSON.readTree(body).path("errors");
            if (errors != null && errors.isArray() && !errors.isEmpty()) {
                JsonNode first = errors.get(0);
                ErrorCode code = ErrorCode.fromName(first.path("code").asText());
                StringBuilder detail = new StringBuilder(first.path("message").asText(code.message()));
                JsonNode d = first.get("detail");
                if (d != null && !d.isNull() && !(d.isTextual() && d.asText().isEmpty())) {
                    detail.append(": ").append(d.isTextual() ? d.asText() : d.toString());
                }
                if (code == ErrorCode.UNKNOWN && status != 500) {
                    code = fromStatus(status);
                }
                return new RegistryClientException(code, status, detail + " (" + where + ")");
            }
        } catch (java.io.IOException notJson) {
            // fall through: a proxy's HTML page, "404 page not found", …
        }
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).trim();
        return new RegistryClientException(fromStatus(status), status,
                (text.isEmpty() ? "HTTP " + status : text) + " (" + where + ")");
    }

    static RegistryClientException unexpected(Response response, String what) {
        return new RegistryClientException(ErrorCode.UNKNOWN, response.status(), what + " in the answer to " + response.call());
    }

    static ErrorCode fromStatus(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.DENIED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.UNSUPPORTED;
            case 413 -> ErrorCode.SIZE_TOO_LARGE;
            case 416 -> ErrorCode.RANGE_INVALID;
            case 429 -> ErrorCode.TOOMANYREQUESTS;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> ErrorCode.UNKNOWN;
        };
    }
}
