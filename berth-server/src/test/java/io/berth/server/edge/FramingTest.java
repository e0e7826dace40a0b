package io.berth.server.edge;

import static io.berth.server.edge.RawHttp.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.edge.RawHttp.Reply;
import io.berth.server.testing.BerthFixture;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict HTTP/1.1 framing (issue #16, item 3), on raw sockets: every request whose framing or head is in doubt is
 * answered once, with the JSON error envelope and {@code Connection: close}, the connection is closed, and the
 * second request smuggled behind it in the same bytes is never answered.
 */
class FramingTest {
    /** Follows every doubtful request: it must never be answered. */
    private static final String SMUGGLED = "GET /v2/_catalog HTTP/1.1\r\nHost: localhost\r\n\r\n";
    private static final String POST = "POST /v2/edge/blobs/uploads/ HTTP/1.1\r\nHost: localhost\r\n";
    /** A handler that reads the whole body before it answers, so that a bad chunk arrives before the response. */
    private static final String PUT_MANIFEST = "PUT /v2/edge/manifests/latest HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static BerthFixture registry;
    static int port;

    @BeforeAll
    static void start() {
        registry = BerthFixture.start(dataDir);
        port = Integer.parseInt(registry.hostPort().substring(registry.hostPort().lastIndexOf(':') + 1));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static Stream<Arguments> rejected() {
        String longHeader = "X-Long: " + "a".repeat(20_000) + "\r\n";
        return Stream.of(
                // Content-Length and Transfer-Encoding together
                bad("CL then TE", POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "SIZE_INVALID"),
                bad("TE then CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL 0 and TE", POST + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL and TE identity", POST + "Content-Length: 5\r\nTransfer-Encoding: identity\r\n\r\nhello", 400, "SIZE_INVALID"),
                // Transfer-Encoding that is not exactly one final chunked
                bad("TE gzip, chunked", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE chunked, identity", POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE chunked,chunked", POST + "Transfer-Encoding: chunked,chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE identity", POST + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE gzip", POST + "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE unknown coding", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE empty", POST + "Transfer-Encoding:\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE trailing space", POST + "Transfer-Encoding: chunked \r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE trailing tab", POST + "Transfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE leading tab", POST + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE two spaces", POST + "Transfer-Encoding:  chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE vertical tab", POST + "Transfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE repeated", POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE repeated with identity", POST + "Transfer-Encoding: chunked\r\ntransfer-encoding: identity\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE space before colon", POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE tab before colon", POST + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE folded", POST + "Transfer-Encoding: gzip\r\n chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE on HTTP/1.0", POST.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("TE and CL on HTTP/1.0", POST.replace("HTTP/1.1", "HTTP/1.0") + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                // Content-Length in doubt
                bad("CL repeated, same", POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, "SIZE_INVALID"),
                bad("CL repeated, different", POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, "SIZE_INVALID"),
                bad("CL list", POST + "Content-Length: 5, 5\r\n\r\nhello", 400, "SIZE_INVALID"),
                bad("CL plus sign", POST + "Content-Length: +5\r\n\r\nhello", 400, "SIZE_INVALID"),
                bad("CL negative", POST + "Content-Length: -1\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL not a number", POST + "Content-Length: abc\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL hex", POST + "Content-Length: 0x5\r\n\r\nhello", 400, "SIZE_INVALID"),
                bad("CL empty", POST + "Content-Length:\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL two numbers", POST + "Content-Length: 1 2\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL overflow", POST + "Content-Length: 99999999999999999999\r\n\r\n", 400, "SIZE_INVALID"),
                bad("CL repeated on HTTP/1.0", POST.replace("HTTP/1.1", "HTTP/1.0") + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, "SIZE_INVALID"),
                // malformed chunked bodies
                bad("chunk size not hex", PUT_MANIFEST + "zz\r\nhello\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("chunk size negative", PUT_MANIFEST + "-5\r\nhello\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("chunk size overflow", PUT_MANIFEST + "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400, "UNSUPPORTED"),
                bad("chunk data without CRLF", PUT_MANIFEST + "5\r\nhelloX0\r\n\r\n", 400, "UNSUPPORTED"),
                // Host
                bad("Host missing", "GET /v2/ HTTP/1.1\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host repeated", "GET /v2/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host repeated, same", "GET /v2/ HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host empty", "GET /v2/ HTTP/1.1\r\nHost:\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host with space", "GET /v2/ HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host with slash", "GET /v2/ HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host with user info", "GET /v2/ HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host with two ports", "GET /v2/ HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400, "UNSUPPORTED"),
                bad("Host repeated on HTTP/1.0", "GET /v2/ HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, "UNSUPPORTED"),
                // versions and request lines
                bad("HTTP/1.2", "GET /v2/ HTTP/1.2\r\nHost: a\r\n\r\n", 505, "UNSUPPORTED"),
                bad("HTTP/2.0 as text", "GET /v2/ HTTP/2.0\r\nHost: a\r\n\r\n", 505, "UNSUPPORTED"),
                bad("HTTP/3.0", "GET /v2/ HTTP/3.0\r\nHost: a\r\n\r\n", 505, "UNSUPPORTED"),
                bad("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "UNSUPPORTED"),
                bad("lower-case version", "GET /v2/ http/1.1\r\nHost: a\r\n\r\n", 400, "UNSUPPORTED"),
                bad("version with suffix", "GET /v2/ HTTP/1.1x\r\nHost: a\r\n\r\n", 400, "UNSUPPORTED"),
                bad("HTTP/0.9 request line", "GET /v2/\r\n\r\n", 400, "UNSUPPORTED"),
                // other malformed heads
                bad("header without colon", "GET /v2/ HTTP/1.1\r\nHost: a\r\nFoo\r\n\r\n", 400, "UNSUPPORTED"),
                bad("bare CR in a value", "GET /v2/ HTTP/1.1\r\nHost: a\r\nX-A: b\rTransfer-Encoding: chunked\r\n\r\n", 400, "UNSUPPORTED"),
                bad("NUL in a value", "GET /v2/ HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n", 400, "UNSUPPORTED"),
                bad("request line too long", "GET /v2/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "NAME_INVALID"),
                bad("headers too large", "GET /v2/ HTTP/1.1\r\nHost: a\r\n" + longHeader + "\r\n", 431, "SIZE_INVALID"));
    }

    private static Arguments bad(String name, String request, int status, String code) {
        return Arguments.of(name, request, status, code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void aDoubtfulRequestIsAnsweredOnceWithTheEnvelopeAndTheConnectionCloses(String name, String request, int status,
                                                                             String code) throws Exception {
        Reply reply = RawHttp.exchange(port, bytes(request + SMUGGLED), 5000);

        assertThat(reply.closed()).as("connection closed; got %s", reply.text()).isTrue();
        assertThat(reply.statusLines()).as("answered exactly once: %s", reply.text()).isEqualTo(1);
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.head()).containsIgnoringCase("connection: close").containsIgnoringCase("content-type: application/json");
        JsonNode error = JSON.readTree(reply.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("detail").asText()).isNotBlank();
    }

    @org.junit.jupiter.api.Test
    void aBadChunkAfterTheResponseBeganOnlyClosesTheConnection() throws Exception {
        // /v2/ answers a POST at once without reading its body; the bad chunk comes after that answer
        String request = "POST /v2/ HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(bytes(request));
            Thread.sleep(300);
            socket.getOutputStream().write(bytes("zz\r\nhello\r\n0\r\n\r\n" + SMUGGLED));
            Reply reply = RawHttp.read(socket.getInputStream(), System.nanoTime());

            assertThat(reply.closed()).isTrue();
            assertThat(reply.statusLines()).as(reply.text()).isEqualTo(1);
            assertThat(reply.status()).as(reply.text()).isNotEqualTo(400);
        }
    }

    @org.junit.jupiter.api.Test
    void aRejectedHeadRequestGetsNoBody() throws Exception {
        Reply reply = RawHttp.exchange(port, bytes("HEAD /v2/ HTTP/1.1\r\n\r\n" + SMUGGLED), 5000);

        assertThat(reply.closed()).isTrue();
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.statusLines()).isEqualTo(1);
        assertThat(reply.body()).isEmpty();
    }

    static Stream<Arguments> notHttp() {
        return Stream.of(
                Arguments.of("TLS ClientHello", new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03}),
                Arguments.of("NUL byte", new byte[] {0, 0, 0, 0}),
                Arguments.of("binary", new byte[] {(byte) 0x80, 0x01, 0x02}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notHttp")
    void bytesThatCannotStartARequestCloseTheConnectionAtOnce(String name, byte[] request) throws Exception {
        Reply reply = RawHttp.exchange(port, request, 5000);

        assertThat(reply.closed()).isTrue();
        assertThat(reply.text()).isEmpty();
        assertThat(reply.millis()).isLessThan(2000);
    }

    static Stream<Arguments> accepted() {
        String get = "GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n";
        String close = "GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        return Stream.of(
                Arguments.of("two pipelined GETs", get + close, 200, 2),
                Arguments.of("HTTP/1.0 without Host", "GET /v2/ HTTP/1.0\r\n\r\n", 200, 1),
                Arguments.of("Host with port", "GET /v2/ HTTP/1.1\r\nHost: localhost:5000\r\nConnection: close\r\n\r\n", 200, 1),
                Arguments.of("Host IPv6", "GET /v2/ HTTP/1.1\r\nHost: [::1]:5000\r\nConnection: close\r\n\r\n", 200, 1),
                Arguments.of("empty line before the request", "\r\n" + close, 200, 1),
                Arguments.of("chunked upload, then a GET", POST + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + close, 202, 2),
                Arguments.of("CHUNKED in capitals", POST + "Transfer-Encoding: CHUNKED\r\nConnection: close\r\n\r\n0\r\n\r\n", 202, 1),
                Arguments.of("chunked without a space", POST + "transfer-encoding:chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", 202, 1),
                Arguments.of("Content-Length 0", POST + "Content-Length: 0\r\n\r\n" + close, 202, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void wellFramedRequestsAreServedAndKeepTheConnection(String name, String requests, int status, int answers)
            throws Exception {
        Reply reply = RawHttp.exchange(port, bytes(requests), 5000);

        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.statusLines()).as(reply.text()).isEqualTo(answers);
        assertThat(reply.closed()).isTrue();
    }
}
