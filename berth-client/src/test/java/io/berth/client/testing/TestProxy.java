package io.berth.client.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small HTTP proxy in front of a test registry (com.sun.net.httpserver), with a {@link Filter} that may answer in
 * the registry's place (an auth challenge, a token, a failed chunk) or let the request through. Records every request.
 */
public final class TestProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of("host", "content-length", "connection", "transfer-encoding", "upgrade",
            "expect", "keep-alive", "date");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A request as the proxy saw it. */
    public record Request(String method, String path, Map<String, List<String>> headers, byte[] body) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }
    }

    /** An answer. */
    public record Reply(int status, Map<String, List<String>> headers, byte[] body) {
        public static Reply of(int status, String contentType, String body) {
            return new Reply(status, Map.of("Content-Type", List.of(contentType)), body.getBytes());
        }

        public Reply with(String header, String value) {
            Map<String, List<String>> copy = new LinkedHashMap<>(headers);
            copy.put(header, List.of(value));
            return new Reply(status, copy, body);
        }
    }

    /** Decides per request; {@code forward} sends it on to the registry. */
    public interface Filter {
        Reply handle(Request request, Forwarder forward) throws IOException, InterruptedException;
    }

    /** Sends a request to the registry behind the proxy. */
    public interface Forwarder {
        Reply forward(Request request) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final String upstream;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private TestProxy(HttpServer server, String upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    /** A proxy on a free loopback port in front of {@code upstreamHost} ({@code 127.0.0.1:port}). */
    public static TestProxy start(String upstreamHost, Filter filter) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TestProxy proxy = new TestProxy(server, "http://" + upstreamHost);
        server.createContext("/", exchange -> proxy.serve(exchange, filter));
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        return proxy;
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return requests;
    }

    private void serve(HttpExchange exchange, Filter filter) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(request);
            Reply reply = filter.handle(request, this::forward);
            reply.headers().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase())) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            boolean noBody = request.method().equals("HEAD") || reply.status() == 204 || reply.body().length == 0;
            if (request.method().equals("HEAD")) {
                reply.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-length"))
                        .findFirst().ifPresent(e -> exchange.getResponseHeaders().put("Content-Length", e.getValue()));
            }
            exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
            if (!noBody) {
                exchange.getResponseBody().write(reply.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Reply forward(Request request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(upstream + request.path()))
                .method(request.method(), request.body().length == 0 && !request.method().equals("PUT")
                        && !request.method().equals("PATCH") && !request.method().equals("POST")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((name, values) -> {
            if (!HOP.contains(name.toLowerCase()) && !name.equalsIgnoreCase("authorization")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        HttpResponse<byte[]> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(response.statusCode(), response.headers().map(), response.body());
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
