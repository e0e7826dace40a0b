package io.berth.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.config.TlsConfig;
import io.berth.server.interop.OciImages.Image;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients over TLS with HTTP/2 offered through ALPN: curl (nghttp2) pulls a manifest and a blob over HTTP/2;
 * skopeo (Go) pushes and pulls an image. skopeo 1.9's transport (containers/image 5.23) sets its own dialer and TLS
 * configuration without {@code ForceAttemptHTTP2}, so Go's HTTP/2 stays off and it asks for HTTP/1.1 only: the test
 * checks that it is served either way and prints which protocol it got (the server's connection counters tell).
 */
class Http2InteropTest {
    @TempDir
    Path tmp;

    @Test
    void curlPullsOverHttp2AndSkopeoPushesAndPullsOverTls() throws Exception {
        ToolRunner.requireTool("skopeo", "skopeo");
        ToolRunner.requireTool("curl", "curl");
        TestCertificates.Pem pem = TestCertificates.selfSigned(tmp, "registry");
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        Files.copy(pem.certificate(), certs.resolve("ca.crt"));
        SSLContext trust = TestCertificates.trusting(pem.x509());
        try (BerthFixture registry = BerthFixture.start(tmp.resolve("data"),
                c -> c.withTls(TlsConfig.of(pem.certificate(), pem.key()).withHttp2(true)));
             ToolRunner tools = ToolRunner.create(tmp.resolve("tools"))) {
            HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust).build();
            URI metrics = URI.create("https://" + registry.hostPort() + "/metrics");
            long h2Before = opened(http11, metrics, "h2");
            long h1Before = opened(http11, metrics, "http/1.1");

            Image image = OciImages.image("over h2");
            Path source = OciImages.writeLayout(tmp.resolve("src"), "v1", image.manifest(), image.blobs());
            String ref = "docker://" + registry.hostPort() + "/h2/app:v1";
            tools.run("skopeo", "--policy", tools.policy().toString(), "copy", "--dest-cert-dir", certs.toString(),
                    "oci:" + source + ":v1", ref);
            Path back = tmp.resolve("back");
            tools.run("skopeo", "--policy", tools.policy().toString(), "copy", "--src-cert-dir", certs.toString(),
                    ref, "oci:" + back + ":v1");
            assertThat(OciImages.readBlobs(back)).containsAllEntriesOf(OciImages.readBlobs(source));
            long skopeoH2 = opened(http11, metrics, "h2") - h2Before;
            long skopeoH1 = opened(http11, metrics, "http/1.1") - h1Before - 2; // less this test's two scrapes
            System.out.printf("skopeo over TLS with h2 offered: %d HTTP/2 and %d HTTP/1.1 connections%n", skopeoH2, skopeoH1);
            assertThat(skopeoH2 + skopeoH1).as("connections skopeo opened").isPositive();

            String base = "https://" + registry.hostPort() + "/v2/h2/app/";
            for (String[] get : new String[][] {
                    {"manifests/v1", image.manifest().digest()}, {"blobs/" + image.layer().digest(), image.layer().digest()}}) {
                Path body = tmp.resolve("curl-body");
                ToolRunner.Result curl = tools.run("curl", "--http2", "--cacert", pem.certificate().toString(), "-sS",
                        "-H", "Accept: " + OciImages.OCI_MANIFEST, "-o", body.toString(), "-w", "%{http_version} %{http_code}",
                        base + get[0]);
                assertThat(curl.stdout()).as(get[0]).isEqualTo("2 200");
                assertThat(OciImages.sha256(Files.readAllBytes(body))).isEqualTo(get[1]);
            }
            assertThat(opened(http11, metrics, "h2")).as("HTTP/2 connections").isGreaterThanOrEqualTo(h2Before + skopeoH2 + 2);
        }
    }
    /**
     * Many blob GETs multiplexed over one HTTP/2 connection, small (read whole and verified) and large (served from
     * the file), all complete. Vert.x 5.0.7's own {@code sendFile} over HTTP/2 left some of these streams without a
     * byte of their body for good (8 of 120 here), so Berth streams files itself over HTTP/2.
     */
    @Test
    void curlGetsManyBlobsMultiplexedOverOneConnection() throws Exception {
        ToolRunner.requireTool("curl", "curl");
        TestCertificates.Pem pem = TestCertificates.selfSigned(tmp, "registry");
        try (BerthFixture registry = BerthFixture.start(tmp.resolve("data"),
                c -> c.withTls(TlsConfig.of(pem.certificate(), pem.key()).withHttp2(true)));
             ToolRunner tools = ToolRunner.create(tmp.resolve("tools"))) {
            HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(pem.x509())).build();
            List<String> args = new ArrayList<>(List.of("curl", "--http2", "--parallel", "--parallel-max", "10",
                    "--max-time", "60", "--cacert", pem.certificate().toString(), "-sS", "-w", "%{http_version} %{http_code} %{size_download}\\n"));
            java.util.Map<String, Integer> sizes = new java.util.HashMap<>();
            for (int size : new int[] {64 << 10, 1 << 20}) {
                byte[] blob = new byte[size];
                new java.util.Random(size).nextBytes(blob);
                String digest = OciImages.sha256(blob);
                HttpResponse<Void> pushed = client.send(HttpRequest.newBuilder(URI.create("https://" + registry.hostPort()
                        + "/v2/h2/many/blobs/uploads/?digest=" + digest)).POST(HttpRequest.BodyPublishers.ofByteArray(blob))
                        .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.discarding());
                assertThat(pushed.statusCode()).isEqualTo(201);
                sizes.put(digest, size);
            }
            for (int i = 0; i < 60; i++) {
                for (String digest : sizes.keySet()) {
                    args.addAll(List.of("-o", "/dev/null", "https://" + registry.hostPort() + "/v2/h2/many/blobs/" + digest));
                }
            }
            ToolRunner.Result curl = tools.run(args);
            assertThat(curl.stdout().lines().toList()).hasSize(120)
                    .allMatch(line -> line.equals("2 200 " + (64 << 10)) || line.equals("2 200 " + (1 << 20)));
        }
    }

    /** {@code berth_connections_opened_total} of a protocol. */
    private static long opened(HttpClient client, URI metrics, String protocol) throws Exception {
        String text = client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("berth_connections_opened_total\\{protocol=\"" + Pattern.quote(protocol)
                + "\"[^}]*} ([0-9.E]+)").matcher(text);
        assertThat(m.find()).as("the counter of %s in %s", protocol, text.length()).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
