package io.berth.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A webhook endpoint on 127.0.0.1 for event tests: records every request it answered 2xx, in arrival order, and can
 * be made to fail (answer an error status) or be stopped and started again on the same port.
 */
public final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery the receiver accepted. */
    public record Delivery(String contentType, Map<String, String> headers, JsonNode body) {
        /** The one event of a Distribution envelope, or the CloudEvent itself. */
        public JsonNode event() {
            return body.has("events") ? body.get("events").get(0) : body;
        }
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> seen = new ConcurrentHashMap<>();
    private volatile int failWith;
    private volatile long delayMillis;
    private int port;
    private HttpServer server;

    private WebhookReceiver() {
        listen();
    }

    public static WebhookReceiver start() {
        return new WebhookReceiver();
    }

    private void listen() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (delayMillis > 0) {
                sleep(delayMillis);
            }
            int status = failWith;
            if (status == 0) {
                Map<String, String> headers = new ConcurrentHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
                Delivery delivery = new Delivery(headers.getOrDefault("content-type", ""), headers, JSON.readTree(body));
                deliveries.add(delivery);
                seen.merge(delivery.event().path("id").asText(), 1, Integer::sum);
                status = 202;
            } else {
                refused.add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hook?token=secret");
    }

    /** Answer {@code status} to every request from now on (0: accept again). */
    public void failWith(int status) {
        this.failWith = status;
    }

    /** Take {@code delay} over each request before answering it (one request at a time). */
    public void delayEach(Duration delay) {
        this.delayMillis = delay.toMillis();
    }

    /** Stop listening: deliveries are refused at the TCP level. */
    public void stop() {
        server.stop(0);
    }

    /** Listen again, on the same port. */
    public void restart() {
        listen();
    }

    public int port() {
        return port;
    }

    /** Accepted deliveries, in arrival order. */
    public List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    public List<Delivery> deliveries(Predicate<Delivery> which) {
        return deliveries().stream().filter(which).toList();
    }

    /** Requests answered with the failure status. */
    public int refusedCount() {
        return refused.size();
    }

    /** Event ids accepted more than once. */
    public List<String> duplicates() {
        return seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    /** Waits until {@code count} deliveries match; returns them. */
    public List<Delivery> await(Predicate<Delivery> which, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Delivery> matching = deliveries(which);
            if (matching.size() >= count) {
                return matching;
            }
            sleep(50);
        }
        List<Delivery> matching = deliveries(which);
        throw new AssertionError("expected " + count + " deliveries within " + timeout + " but got " + matching.size()
                + ": " + matching.stream().map(d -> d.event().toString()).toList());
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
