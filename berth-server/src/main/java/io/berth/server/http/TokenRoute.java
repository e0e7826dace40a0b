package io.berth.server.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.berth.oci.ErrorCode;
import io.berth.server.auth.TokenService;
import io.berth.server.auth.TokenService.TokenReply;
import io.berth.server.auth.TokenService.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /token} (query) and {@code POST /token} (an {@code application/x-www-form-urlencoded} form of at most
 * 64 KiB): the HTTP side of the {@link TokenService}; {@code GET /token/jwks} publishes the public signing key. The
 * routes are public: authenticating is what they are for.
 */
public final class TokenRoute {
    private static final int MAX_FORM_BYTES = 64 * 1024;

    private final TokenService tokens;

    public TokenRoute(TokenService tokens) {
        this.tokens = tokens;
    }

    public Future<Reply> keys(Exchange exchange) {
        return Future.succeededFuture(json(200, tokens.publicKeys().getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code GET|POST /token}: a token for what the caller may do. */
    public Future<Reply> issue(Exchange exchange) {
        return request(exchange).compose(request -> exchange.blocking(() -> tokens.issue(request)))
                .map(reply -> answer(exchange, reply));
    }

    /** {@code POST /token/revoke} (RFC 7009): signs out the subject of the {@code token} form field, or the caller. */
    public Future<Reply> revoke(Exchange exchange) {
        return request(exchange).compose(request -> exchange.blocking(() -> tokens.revoke(request)))
                .map(reply -> answer(exchange, reply));
    }

    /**
     * {@code POST /api/v1/accounts/{account}/revoke}, for admins (the route says so): refuses every token the account
     * was issued until now. 200 with {@code {"account":…,"validFrom":…}}.
     */
    public Future<Reply> revokeAccount(Exchange exchange) {
        String account = decode(exchange.variable("account"));
        return exchange.blocking(() -> tokens.revokeAll(account, exchange.actor())).map(validFrom -> json(200,
                JsonNodeFactory.instance.objectNode().put("account", account).put("validFrom", validFrom.toString())
                        .toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Future<TokenRequest> request(Exchange exchange) {
        boolean post = exchange.request().method() == HttpMethod.POST;
        Future<Map<String, List<String>>> parameters = post
                ? exchange.body(MAX_FORM_BYTES).map(TokenRoute::form)
                : Future.succeededFuture(parameters(exchange.request().params()));
        return parameters.map(params -> new TokenRequest(exchange.header("Authorization"), exchange.client(), post, params));
    }

    private static Reply answer(Exchange exchange, TokenReply reply) {
        if (reply.issued()) {
            return json(200, reply.json());
        }
        reply.refusal().headers().forEach(exchange.request().response()::putHeader);
        exchange.request().response().putHeader("Cache-Control", "no-store");
        throw reply.refusal().code().exception(reply.refusal().detail());
    }

    private static Reply json(int status, byte[] body) {
        return Reply.status(status).header("Cache-Control", "no-store").bytes(body, "application/json");
    }

    private static Map<String, List<String>> parameters(MultiMap params) {
        Map<String, List<String>> map = new HashMap<>();
        params.names().forEach(name -> map.put(name, params.getAll(name)));
        return map;
    }

    /** The form's fields; malformed percent-encoding is the client's fault (400). */
    private static Map<String, List<String>> form(Buffer body) {
        Map<String, List<String>> map = new HashMap<>();
        for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            map.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return map;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.UNSUPPORTED.exception(400, "malformed form encoding: " + e.getMessage());
        }
    }
}
