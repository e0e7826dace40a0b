package io.berth.client;

import io.berth.client.auth.Scope;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One request as the endpoint classes describe it: method, URL, headers, a body that can be produced again for a
 * retry after an authentication challenge, and the scope it needs.
 */
record Call(String method, URI uri, Map<String, String> headers, Optional<Supplier<HttpRequest.BodyPublisher>> body,
            Scope scope) {
    static Call of(String method, URI uri, Scope scope) {
        return new Call(method, uri, Map.of(), Optional.empty(), scope);
    }

    Call header(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Call(method, uri, copy, body, scope);
    }

    Call body(Supplier<HttpRequest.BodyPublisher> publisher) {
        return new Call(method, uri, headers, Optional.of(publisher), scope);
    }

    Call body(byte[] bytes) {
        return body(() -> HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    Call to(URI other) {
        return new Call(method, other, headers, body, scope);
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }
}
