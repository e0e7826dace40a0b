package io.berth.cli;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load balancer as the multi-node test needs one: each request goes to the next node in turn (round-robin, no
 * stickiness), bodies stream both ways (nothing is buffered whole), the client's {@code Host} is kept, and a node that
 * refuses the connection is skipped for the next one, as nginx's {@code proxy_next_upstream error} does. A request
 * that a node dies in the middle of is not sent again: the client's connection is closed, and the client retries.
 * It records which node served which request, which is what the test asserts on.
 */
final class RoundRobinProxy implements AutoCloseable {
    /** Hop-by-hop headers (RFC 9110 7.6.1) and those this proxy sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "expect", "content-length");

    /** One forwarded request: the node's port, or -1 when the node failed it before answering. */
    record Served(String method, String uri, int node, int status, String location) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClient client;
    private final List<Integer> nodes;
    private final AtomicLong next = new AtomicLong();
    private final ConcurrentLinkedQueue<Served> served = new ConcurrentLinkedQueue<>();

    private RoundRobinProxy(Vertx vertx, HttpClient client, List<Integer> nodes, HttpServerOptions options) {
        this.vertx = vertx;
        this.client = client;
        this.nodes = List.copyOf(nodes);
        this.server = vertx.createHttpServer(options).requestHandler(this::forward).listen().await();
    }

    /** Listens on a free loopback port in front of the nodes on {@code nodePorts} of 127.0.0.1. */
    static RoundRobinProxy start(List<Integer> nodePorts) {
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2000),
                new PoolOptions().setHttp1MaxSize(32));
        // 100-continue is answered here, as nginx does, so that no client waits for a node's interim answer.
        return new RoundRobinProxy(vertx, client, nodePorts,
                new HttpServerOptions().setHost("127.0.0.1").setPort(0).setHandle100ContinueAutomatically(true));
    }

    int port() {
        return server.actualPort();
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    List<Served> served() {
        return List.copyOf(served);
    }

    private void forward(HttpServerRequest in) {
        in.pause();
        attempt(in, (int) (next.getAndIncrement() % nodes.size()), 0);
    }

    private void attempt(HttpServerRequest in, int index, int tried) {
        int node = nodes.get(index);
        RequestOptions options = new RequestOptions().setMethod(in.method()).setURI(in.uri())
                .setServer(SocketAddress.inetSocketAddress(node, "127.0.0.1"))
                .setHost(in.authority().host()).setPort(in.authority().port());
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                if (tried + 1 < nodes.size()) {
                    attempt(in, (index + 1) % nodes.size(), tried + 1);
                } else {
                    in.resume();
                    in.response().setStatusCode(502).end();
                }
                return;
            }
            var out = connected.result();
            copy(in.headers(), out.headers());
            String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
            }
            out.send(in).onComplete(answered -> {
                if (answered.failed()) {
                    served.add(new Served(in.method().name(), in.uri(), node, -1, null));
                    in.connection().close();
                    return;
                }
                HttpClientResponse response = answered.result();
                served.add(new Served(in.method().name(), in.uri(), node, response.statusCode(),
                        response.getHeader(HttpHeaders.LOCATION)));
                var back = in.response().setStatusCode(response.statusCode());
                copy(response.headers(), back.headers());
                String answerLength = response.getHeader(HttpHeaders.CONTENT_LENGTH);
                if (answerLength != null) {
                    back.putHeader(HttpHeaders.CONTENT_LENGTH, answerLength);
                } else if (response.statusCode() != 204 && response.statusCode() != 304
                        && in.method() != io.vertx.core.http.HttpMethod.HEAD) {
                    back.setChunked(true);
                }
                response.pipeTo(back).onFailure(e -> in.connection().close());
            });
        });
    }

    private static void copy(MultiMap from, MultiMap to) {
        from.forEach((name, value) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                to.add(name, value);
            }
        });
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
