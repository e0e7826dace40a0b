package io.berth.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/** A registry's answer with its body as a stream; close it (or read it whole) to free the connection. */
final class Response implements AutoCloseable {
    private final Call call;
    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;

    Response(Call call, int status, HttpHeaders headers, InputStream body) {
        this.call = call;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    Call call() {
        return call;
    }

    int status() {
        return status;
    }

    boolean is(int... statuses) {
        for (int s : statuses) {
            if (s == status) {
                return true;
            }
        }
        return false;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    List<String> headers(String name) {
        return headers.allValues(name);
    }

    InputStream body() {
        return body;
    }

    byte[] bytes() {
        try (InputStream in = body) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the answer to " + call, e);
        }
    }

    /** {@code Location}, resolved against the request URL (registries may answer with a relative one). */
    URI location() {
        String location = header("Location").orElseThrow(() -> ErrorEnvelope.unexpected(this, "no Location header"));
        return call.uri().resolve(location);
    }

    /** The error this answer carries, its body read and closed. */
    RegistryClientException error() {
        return ErrorEnvelope.parse(this, bytes());
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }
}
