package io.berth.server.http;

import io.berth.oci.ErrorCode;
import io.berth.server.auth.TokenService;
import io.berth.server.auth.TokenService.TokenReply;
import io.berth.server.auth.TokenService.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /token} (query) and {@code POST /token} (an {@code application/x-www-form-urlencoded} form of at most
 * 64 KiB): the HTTP side of the {@link TokenService}; {@code GET /token/jwks} publishes the public signing key.
 */
final class TokenRoute implements Handler<HttpServerRequest> {
    private static final int MAX_FORM_BYTES = 64 * 1024;

    private final TokenService tokens;
    private final WorkerExecutor workers;

    TokenRoute(TokenService tokens, WorkerExecutor workers) {
        this.tokens = tokens;
        this.workers = workers;
    }

    @Override
    public void handle(HttpServerRequest request) {
        request.response().putHeader("Cache-Control", "no-store");
        if (request.path().equals("/token/jwks") && request.method() == HttpMethod.GET) {
            json(request, 200, tokens.publicKeys().getBytes(StandardCharsets.UTF_8));
            return;
        }
        Future<Map<String, List<String>>> parameters;
        if (!request.path().equals("/token")) {
            ErrorRenderer.render(request, ErrorCode.NOT_FOUND.exception("no such endpoint: " + request.path()));
            return;
        } else if (request.method() == HttpMethod.GET) {
            parameters = Future.succeededFuture(parameters(request.params()));
        } else if (request.method() == HttpMethod.POST) {
            request.pause();
            parameters = new Exchange(request, null, workers).body(MAX_FORM_BYTES).map(TokenRoute::form);
        } else {
            request.response().putHeader("Allow", "GET, POST");
            ErrorRenderer.render(request, ErrorCode.UNSUPPORTED.exception(request.method() + " is not supported on /token"));
            return;
        }
        String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        Optional<String> authorization = Optional.ofNullable(request.getHeader("Authorization"));
        boolean post = request.method() == HttpMethod.POST;
        parameters.compose(params -> workers.executeBlocking(
                        () -> tokens.issue(new TokenRequest(authorization, client, post, params)), false))
                .onComplete(result -> {
                    if (result.failed()) {
                        ErrorRenderer.render(request, result.cause());
                        return;
                    }
                    TokenReply reply = result.result();
                    if (reply.issued()) {
                        json(request, 200, reply.json());
                    } else {
                        reply.refusal().headers().forEach(request.response()::putHeader);
                        ErrorRenderer.render(request, reply.refusal().code().exception(reply.refusal().detail()));
                    }
                });
    }

    private static void json(HttpServerRequest request, int status, byte[] body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", String.valueOf(body.length)).end(Buffer.buffer(body));
    }

    private static Map<String, List<String>> parameters(MultiMap params) {
        Map<String, List<String>> map = new HashMap<>();
        params.names().forEach(name -> map.put(name, params.getAll(name)));
        return map;
    }

    private static Map<String, List<String>> form(Buffer body) {
        Map<String, List<String>> map = new HashMap<>();
        for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            map.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return map;
    }
}
