package io.berth.server.http;

import static io.berth.server.http.FramingException.head;
import static io.berth.server.http.FramingException.length;

import io.berth.oci.ErrorCode;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules a request head must keep before its body is read (RFC 9112 sections 2.2, 3.2, 5 and 6), checked on the
 * bytes as they came: Netty's decoder trims, folds and normalizes values first (it removes {@code Content-Length}
 * when {@code Transfer-Encoding} names chunked, and takes {@code gzip, chunked} or {@code chunked, identity} for
 * chunked), so a disagreement with a proxy in front could smuggle a second request in a body. Anything doubtful
 * is refused: one {@code Transfer-Encoding: chunked} and nothing else, never with {@code Content-Length}, never on
 * HTTP/1.0; one well-formed {@code Host} (required on HTTP/1.1); no line folding, no control characters.
 */
final class RequestHeadRules {
    private static final Pattern HOST =
            Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(:[0-9]{0,5})?");
    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9](\\.[0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private RequestHeadRules() {
    }

    /** HTTP/1.0 and HTTP/1.1 are served; other HTTP versions get 505, anything else is no request line. */
    static void checkRequestLine(String[] initialLine) {
        if (initialLine.length != 3 || initialLine[0].isEmpty() || initialLine[1].isEmpty()) {
            throw head("malformed request line");
        }
        String version = initialLine[2];
        if (version.equals("HTTP/1.1") || version.equals("HTTP/1.0")) {
            return;
        }
        if (VERSION.matcher(version).matches()) {
            throw new FramingException(505, ErrorCode.UNSUPPORTED, "HTTP version " + version + " is not supported, use HTTP/1.1");
        }
        throw head("malformed HTTP version in the request line");
    }

    /** Checks the request line and header lines as received, {@code raw} possibly led by empty lines. */
    static void checkHead(HttpVersion version, byte[] raw) {
        int hosts = 0;
        int lengths = 0;
        String host = null;
        List<String> codings = new ArrayList<>();
        for (String line : headerLines(raw)) {
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw head("obsolete line folding in a header field");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw head("malformed header field name");
            }
            if (line.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw head("control character in a header field");
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (name.equalsIgnoreCase("host")) {
                hosts++;
                host = value.strip();
            } else if (name.equalsIgnoreCase("content-length")) {
                lengths++;
                if (!DIGITS.matcher(value.strip()).matches()) {
                    throw length("invalid Content-Length '" + printable(value) + "'");
                }
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                codings.add(value);
            }
        }
        if (!codings.isEmpty()) {
            checkTransferEncoding(version, codings, lengths);
        }
        if (lengths > 1) {
            throw length("repeated Content-Length");
        }
        if (hosts > 1) {
            throw head("repeated Host");
        }
        if (hosts == 0 && version.equals(HttpVersion.HTTP_1_1)) {
            throw head("missing Host");
        }
        if (hosts == 1 && !HOST.matcher(host).matches()) {
            throw head("invalid Host '" + printable(host) + "'");
        }
    }

    private static void checkTransferEncoding(HttpVersion version, List<String> codings, int lengths) {
        if (!version.equals(HttpVersion.HTTP_1_1)) {
            throw head("Transfer-Encoding in an " + version + " request");
        }
        if (lengths > 0) {
            throw length("both Content-Length and Transfer-Encoding");
        }
        if (codings.size() > 1) {
            throw head("repeated Transfer-Encoding");
        }
        String coding = codings.get(0);
        if (!(coding.equalsIgnoreCase(" chunked") || coding.equalsIgnoreCase("chunked"))) {
            throw head("Transfer-Encoding must be exactly 'chunked', was '" + printable(coding) + "'");
        }
    }

    /** The header lines after the request line, without line ends; empty lines before the request line are skipped. */
    private static List<String> headerLines(byte[] raw) {
        List<String> lines = new ArrayList<>();
        boolean requestLineSeen = false;
        for (String line : new String(raw, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (bare.isEmpty()) {
                if (requestLineSeen) {
                    break;
                }
            } else if (requestLineSeen) {
                lines.add(bare);
            } else {
                requestLineSeen = true;
            }
        }
        return lines;
    }

    private static boolean isToken(String name) {
        return name.chars().allMatch(c -> c < 0x7f && (Character.isLetterOrDigit(c) || TCHAR_SYMBOLS.indexOf(c) >= 0));
    }

    /** A value for a detail message: control and non-ASCII characters escaped, at most 64 characters. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.chars().limit(64).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\x%02x", c)));
        return out.toString();
    }
}
