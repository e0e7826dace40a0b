package io.berth.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import io.berth.server.blob.StorageFault;
import io.berth.server.log.LogText;
import io.berth.server.meta.PolicyDenial;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into the spec's error envelope
 * {@code {"errors":[{code,message,detail,requestId}]}}. A {@link RegistryException} keeps its code and status; anything
 * refused by the registry's rules ({@link PolicyDenial}: an immutable tag, a quota) is {@code DENIED} 403 with the
 * explanation as its message; anything else is {@code UNKNOWN} 500, logged with its stack trace. Every error carries
 * the request's id, in its body and its {@code X-Request-Id}, which the log lines name too. HEAD responses carry the status and headers but no body.
 * Headers a handler set before failing (such as {@code Range} on a 416) are kept. An overload — 503
 * {@code TOOMANYREQUESTS}, a wait for the database or a worker that ran out — says when to come back:
 * {@code Retry-After}, {@value #RETRY_AFTER_SECONDS} s unless the handler set it.
 */
public final class ErrorRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorRenderer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Soon: what was busy has usually moved on by then, and a client that waited its own timeout already waits no longer. */
    static final int RETRY_AFTER_SECONDS = 1;

    private ErrorRenderer() {
    }

    public static void render(HttpServerRequest request, Supplier<String> id, Throwable failure) {
        HttpServerResponse response = request.response();
        String requestId = id.get();
        if (response.closed()) {
            LOG.debug("request {} {} {}: the connection closed before the answer ({})", requestId, request.method(),
                    LogText.escaped(request.path()), LogText.escaped(failure.toString()));
            return;
        }
        if (response.headWritten() || response.ended()) {
            LOG.warn("request {} {} {} failed after the response started: {}", requestId, request.method(),
                    LogText.escaped(request.path()), LogText.escaped(failure.toString()));
            if (!response.ended()) {
                response.reset();
            }
            return;
        }
        RegistryException error = toRegistryException(request, requestId, failure);
        byte[] body = envelope(error.code(), error.message(), error.detail(), requestId);
        response.setStatusCode(error.status())
                .putHeader(RequestId.HEADER, requestId)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", String.valueOf(body.length));
        if (error.code() == ErrorCode.TOOMANYREQUESTS && error.status() == 503 && !response.headers().contains("Retry-After")) {
            response.putHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        discardUnreadBody(request);
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(Buffer.buffer(body));
        }
    }

    private static RegistryException toRegistryException(HttpServerRequest request, String requestId, Throwable failure) {
        if (failure instanceof RegistryException registryException) {
            return registryException;
        }
        Optional<StorageFault> fault = StorageFault.of(failure);
        if (fault.isPresent()) {
            LOG.warn("request {} {} {} failed: {}: {}", requestId, request.method(), LogText.escaped(request.path()),
                    fault.get().message(), LogText.escaped(StorageFault.cause(failure)));
            return fault.get().exception(fault.get().message() + " (" + StorageFault.cause(failure) + "): the"
                    + " write was not stored; retry once the registry's operators have freed space, request id " + requestId);
        }
        if (failure instanceof PolicyDenial denial) {
            // A refusal by the registry's own rules (an immutable tag, a quota): the explanation is the message, the
            // field that skopeo, docker and podman print after "denied: " (they never print the detail).
            return new RegistryException(ErrorCode.DENIED, ErrorCode.DENIED.status(), denial.getMessage(), null);
        }
        LOG.error("request {} {} {} failed", requestId, request.method(), LogText.escaped(request.path()), failure);
        return ErrorCode.UNKNOWN.exception("internal error, request id " + requestId);
    }

    /** The error envelope for one error; {@code requestId} may be empty. */
    public static byte[] envelope(ErrorCode code, String detail, String requestId) {
        return envelope(code, code.message(), detail, requestId);
    }

    /** The error envelope for one error with a message of its own; {@code detail} may be null, {@code requestId} empty. */
    public static byte[] envelope(ErrorCode code, String message, String detail, String requestId) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putArray("errors").addObject();
        error.put("code", code.name());
        error.put("message", message);
        if (detail != null) {
            error.put("detail", detail);
        }
        if (!requestId.isEmpty()) {
            error.put("requestId", requestId);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets the rest of an unread request body be read and dropped, so that the connection can serve the next request. */
    static void discardUnreadBody(HttpServerRequest request) {
        if (!request.isEnded()) {
            request.handler(null);
            request.resume();
        }
    }
}
