package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The quick start {@code berth serve --webhook URL}: every event goes to URL in Distribution's format. */
class WebhookFlagTest {
    @TempDir
    Path data;

    @Test
    void aPushIsPostedToTheWebhook() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                received.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                        + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        int port = ServerProcess.freePort();
        ServerProcess server = ServerProcess.start(port, data,
                "--webhook", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook");
        try {
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            String configDigest = ServerProcess.sha256(config);
            HttpResponse<Void> blob = ServerProcess.HTTP.send(HttpRequest.newBuilder(
                            server.uri("/v2/quick/start/blobs/uploads/?digest=" + configDigest))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(config)).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(blob.statusCode()).isEqualTo(201);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                    + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
            HttpResponse<Void> put = ServerProcess.HTTP.send(HttpRequest.newBuilder(server.uri("/v2/quick/start/manifests/1.0"))
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(put.statusCode()).isEqualTo(201);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(received).singleElement().satisfies(event -> assertThat(event)
                    .startsWith("application/vnd.docker.distribution.events.v1+json {\"events\":[{")
                    .contains("\"action\":\"push\"", "\"repository\":\"quick/start\"", "\"tag\":\"1.0\"",
                            "\"type\":{\"id\":\"oci-image\",\"title\":\"OCI image\"}"));
        } finally {
            server.process().destroy();
            server.process().waitFor(40, TimeUnit.SECONDS);
            hook.stop(0);
        }
    }

    @Test
    void aWebhookThatIsNotAnHttpUrlIsAConfigurationError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute("serve", "--data", data.toString(), "--webhook", "ftp://example/hook");
        } finally {
            System.setErr(original);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--webhook", "url must be an http or https URL");
    }
}
