package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.TlsConfig;
import io.berth.server.testing.BerthFixture;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files (self-signed certificates made with the JDK's keytool), reloaded when they change; and the
 * refusal to start with authorization over plain HTTP on a non-loopback address.
 */
class TlsTest {
    @TempDir
    Path dir;

    /** A self-signed certificate for 127.0.0.1 and localhost, as PEM files. */
    record Pem(Path certificate, Path key, X509Certificate x509) {
    }

    Pem selfSigned(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "berth", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        X509Certificate certificate = (X509Certificate) keyStore.getCertificate("berth");
        PrivateKey key = (PrivateKey) keyStore.getKey("berth", "changeit".toCharArray());
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        return new Pem(certFile, keyFile, certificate);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static SSLContext trusting(X509Certificate... certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            trust.setCertificateEntry("c" + i, certificates[i]);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** The serial number of the certificate a new connection is served. */
    static BigInteger servedSerial(URI uri, SSLContext ssl) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(200);
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void servesHttpsAndReloadsTheCertificateWhenItChanges() throws Exception {
        Pem first = selfSigned("first");
        Pem second = selfSigned("second");
        Path cert = Files.copy(first.certificate(), dir.resolve("tls.crt"));
        Path key = Files.copy(first.key(), dir.resolve("tls.key"));
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withTls(TlsConfig.of(cert, key))
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)))) {
            URI https = URI.create("https://" + registry.hostPort());
            SSLContext both = trusting(first.x509(), second.x509());
            assertThat(servedSerial(https, both)).isEqualTo(first.x509().getSerialNumber());
            AuthHttp http = new AuthHttp(https, both);
            HttpResponse<byte[]> challenge = http.get("/v2/", null);
            assertThat(challenge.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .as("the realm follows the scheme").startsWith("Bearer realm=\"https://" + registry.hostPort() + "/token\"");
            HttpResponse<byte[]> signedIn = http.get("/v2/", basic("alice", "alice-pw"));
            assertThat(signedIn.statusCode()).isEqualTo(200);
            assertThat(signedIn.headers().firstValue("Strict-Transport-Security")).as("HSTS over TLS, on every answer")
                    .contains("max-age=31536000; includeSubDomains");
            assertThat(challenge.headers().firstValue("Strict-Transport-Security")).isPresent();

            // a broken pair is not taken
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            Thread.sleep(2 * 2_000 + 500);
            assertThat(servedSerial(https, both)).isEqualTo(first.x509().getSerialNumber());

            Files.copy(second.certificate(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            BigInteger served = servedSerial(https, both);
            while (!served.equals(second.x509().getSerialNumber()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                served = servedSerial(https, both);
            }
            assertThat(served).isEqualTo(second.x509().getSerialNumber());
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void authorizationOnAllInterfacesWithTlsStarts() throws Exception {
        Pem pem = selfSigned("wide");
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withTls(TlsConfig.of(pem.certificate(), pem.key()))
                .withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)).withListen("0.0.0.0", 0))) {
            AuthHttp http = new AuthHttp(URI.create("https://" + registry.hostPort()), trusting(pem.x509()));
            assertThat(http.get("/v2/", basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void authorizationOverPlainHttpOnANonLoopbackAddressIsRefusedUnlessAllowed() {
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(dir.resolve("htpasswd"));
        BerthConfig loopback = BerthConfig.defaults(dir).withAuth(auth);

        assertThatThrownBy(() -> loopback.withListen("0.0.0.0", 5000)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("authorization over plain HTTP on 0.0.0.0");
        assertThatThrownBy(() -> loopback.withListen("192.0.2.10", 5000)).isInstanceOf(ConfigException.class);
        assertThat(loopback.withListen("::1", 5000).host()).isEqualTo("::1");
        assertThat(loopback.withListen("localhost", 5000).host()).isEqualTo("localhost");
        assertThat(loopback.withTls(TlsConfig.NONE.withAllowPlainHttpAuth(true)).withListen("0.0.0.0", 5000).port())
                .isEqualTo(5000);
        assertThat(BerthConfig.defaults(dir).withListen("0.0.0.0", 5000).auth().enabled())
                .as("without authorization, plain HTTP anywhere is fine").isFalse();
        assertThatThrownBy(() -> new TlsConfig(java.util.Optional.of(dir), java.util.Optional.empty(), false))
                .hasMessageContaining("both certificate and key");
    }
}
