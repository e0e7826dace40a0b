package io.berth.server.http;

import java.net.http.HttpClient;
import java.time.Duration;

/** The HTTP client for calls Berth makes to configured endpoints (webhooks, scanners). */
public final class OutboundHttp {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private OutboundHttp() {
    }

    /**
     * A new client that gives up connecting after 10 s and never follows a redirect: an endpoint answers where it was
     * configured, and a redirect must not carry an event or a pull token elsewhere.
     */
    public static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }
}
