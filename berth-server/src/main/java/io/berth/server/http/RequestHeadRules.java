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
    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9](\\.[0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    /** The characters of a header field name (RFC 9110 {@code tchar}), and of a host name in {@code Host}. */
    private static final boolean[] TOKEN = asciiTable(TCHAR_SYMBOLS);
    private static final boolean[] REG_NAME = asciiTable("._~%!$&'()*+,;=-");

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

    /**
     * Checks the header lines as received, the first {@code length} bytes of {@code raw}, possibly led by empty
     * lines. It runs on every request, so it walks the bytes once and makes strings only of the few values it judges.
     */
    static void checkHead(HttpVersion version, byte[] raw, int length) {
        int hosts = 0;
        int lengths = 0;
        String host = null;
        List<String> codings = List.of();
        int start = afterRequestLine(raw, length);
        while (start < length) {
            int end = lineEnd(raw, start, length);
            if (end == start) {
                break; // the empty line that ends the head
            }
            byte first = raw[start];
            if (first == ' ' || first == '\t') {
                throw head("obsolete line folding in a header field");
            }
            int colon = start;
            while (colon < end && isTokenChar(raw[colon])) {
                colon++;
            }
            if (colon == start || colon == end || raw[colon] != ':') {
                throw head("malformed header field name");
            }
            for (int i = colon + 1; i < end; i++) {
                if (raw[i] < 0x20 && raw[i] != '\t' && raw[i] >= 0 || raw[i] == 0x7f) {
                    throw head("control character in a header field");
                }
            }
            if (named(raw, start, colon, "host")) {
                hosts++;
                host = value(raw, colon + 1, end).strip();
            } else if (named(raw, start, colon, "content-length")) {
                lengths++;
                String contentLength = value(raw, colon + 1, end).strip();
                if (!DIGITS.matcher(contentLength).matches()) {
                    throw length("invalid Content-Length '" + printable(value(raw, colon + 1, end)) + "'");
                }
            } else if (named(raw, start, colon, "transfer-encoding")) {
                codings = codings.isEmpty() ? new ArrayList<>() : codings;
                codings.add(value(raw, colon + 1, end));
            }
            start = next(raw, end, length);
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
        if (hosts == 1 && !isHost(host)) {
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

    /** Where the first header line starts: after any empty lines and the request line. */
    private static int afterRequestLine(byte[] raw, int length) {
        int start = 0;
        while (start < length && lineEnd(raw, start, length) == start) {
            start = next(raw, start, length);
        }
        return next(raw, lineEnd(raw, start, length), length);
    }

    /** Where the line starting at {@code start} ends: its CR LF, its LF, or the end of the bytes. */
    private static int lineEnd(byte[] raw, int start, int length) {
        int lf = start;
        while (lf < length && raw[lf] != '\n') {
            lf++;
        }
        return lf > start && raw[lf - 1] == '\r' ? lf - 1 : lf;
    }

    /** Where the line after the one ending at {@code end} starts. */
    private static int next(byte[] raw, int end, int length) {
        int at = end < length && raw[end] == '\r' ? end + 1 : end;
        return at < length ? at + 1 : length;
    }

    private static boolean isTokenChar(byte b) {
        return b > 0x20 && b < 0x7f && TOKEN[b];
    }

    /**
     * {@code (\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(:[0-9]{0,5})?}: an IP literal in brackets or a
     * registered name, and an optional port. A loop rather than that regular expression: it runs on every request.
     */
    static boolean isHost(String host) {
        int n = host.length();
        int i = 0;
        if (n > 0 && host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(Character.digit(c, 16) >= 0 && c < 0x80 || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < n && host.charAt(i) < 0x80 && REG_NAME[host.charAt(i)]) {
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == n) {
            return true;
        }
        if (host.charAt(i) != ':' || n - i - 1 > 5) {
            return false;
        }
        for (int k = i + 1; k < n; k++) {
            if (host.charAt(k) < '0' || host.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean[] asciiTable(String symbols) {
        boolean[] table = new boolean[128];
        for (char c = 0; c < 128; c++) {
            table[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || symbols.indexOf(c) >= 0;
        }
        return table;
    }

    /** Whether the field name in {@code raw[from, to)} is {@code name} (lower case), in any case. */
    private static boolean named(byte[] raw, int from, int to, String name) {
        if (to - from != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase(raw[from + i]) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String value(byte[] raw, int from, int to) {
        return new String(raw, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** A value for a detail message: control and non-ASCII characters escaped, at most 64 characters. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.chars().limit(64).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\x%02x", c)));
        return out.toString();
    }
}
