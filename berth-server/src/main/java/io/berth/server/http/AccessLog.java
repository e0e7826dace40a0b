package io.berth.server.http;

import io.berth.server.log.LineWriter;
import io.berth.server.log.LogConfig;
import io.berth.server.log.LogText;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line per answered request on standard output (the server's own log goes to standard error), written by a
 * {@link LineWriter} off the event loop. The text format is Apache's combined log format with Berth's fields after it:
 *
 * <pre>
 * 127.0.0.1 - alice [07/Dec/2026:10:15:02 +0000] "PUT /v2/app/manifests/v1 HTTP/1.1" 201 0 "-" "skopeo/1.18" route="/v2/{name}/manifests/{reference}" in=712 ms=4.210 id=c1a0…
 * </pre>
 *
 * The JSON format writes the same as one object: {@code time} (ISO-8601), {@code client}, {@code user}, {@code method},
 * {@code path}, {@code protocol}, {@code route}, {@code status}, {@code bytesIn}, {@code bytesOut}, {@code durationMs},
 * {@code requestId}, {@code referer}, {@code userAgent}; absent values are {@code null}. The path is logged without
 * its query, which may carry a refresh token. Text from the client (path, method, user agent, referer) is escaped
 * ({@link LogText}); in the text format a {@code "} inside a quoted field is {@code \"} as Apache writes it.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
    private static final DateTimeFormatter APACHE_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final LineWriter lines;
    private final LogConfig.Format format;
    /** The last second's time text: formatting it once a second, not once a request. */
    private volatile Second second = new Second(-1, "");

    private record Second(long epochSecond, String text) {
    }

    public AccessLog(LogConfig.Format format, LineWriter lines) {
        this.format = format;
        this.lines = lines;
    }

    /** To the process's standard output as it is now. */
    public static AccessLog toStandardOutput(LogConfig.Format format) {
        return new AccessLog(format, new LineWriter(System.out, "berth-access-log"));
    }

    /** Lines dropped because the output did not keep up. */
    public long dropped() {
        return lines.dropped();
    }

    @Override
    public void completed(ServedRequest served) {
        lines.write(format == LogConfig.Format.JSON ? json(served) : text(served));
    }

    /** Writes the lines still queued. */
    @Override
    public void close() {
        lines.close();
    }

    String text(ServedRequest served) {
        HttpServerRequest request = served.request();
        StringBuilder line = new StringBuilder(256);
        line.append(served.client()).append(" - ").append(orDash(escaped(served.user())))
                .append(" [").append(time(served.startMillis())).append("] \"")
                .append(quotable(request.method().name())).append(' ').append(quotable(request.path())).append(' ')
                .append(protocol(request)).append("\" ").append(served.status()).append(' ').append(served.bytesOut())
                .append(" \"").append(orDash(quotable(request.getHeader("Referer"))))
                .append("\" \"").append(orDash(quotable(request.getHeader("User-Agent"))))
                .append("\" route=\"").append(served.route() == null ? "-" : quotable(served.route().path().template()))
                .append("\" in=").append(served.bytesIn()).append(" ms=");
        milliseconds(line, served.durationNanos());
        return line.append(" id=").append(orDash(served.requestId())).toString();
    }

    String json(ServedRequest served) {
        HttpServerRequest request = served.request();
        StringBuilder line = new StringBuilder(320).append('{');
        field(line, "time", Instant.ofEpochMilli(served.startMillis()).toString()).append(',');
        field(line, "client", served.client()).append(',');
        field(line, "user", served.user()).append(',');
        field(line, "method", request.method().name()).append(',');
        field(line, "path", request.path()).append(',');
        field(line, "protocol", protocol(request)).append(',');
        field(line, "route", served.route() == null ? null : served.route().path().template()).append(',');
        line.append("\"status\":").append(served.status())
                .append(",\"bytesIn\":").append(served.bytesIn())
                .append(",\"bytesOut\":").append(served.bytesOut())
                .append(",\"durationMs\":");
        milliseconds(line, served.durationNanos());
        line.append(',');
        field(line, "requestId", served.requestId()).append(',');
        field(line, "referer", request.getHeader("Referer")).append(',');
        field(line, "userAgent", request.getHeader("User-Agent"));
        return line.append('}').toString();
    }

    private String time(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second last = second;
        if (last.epochSecond() != epochSecond) {
            last = new Second(epochSecond, APACHE_TIME.format(Instant.ofEpochSecond(epochSecond)));
            second = last;
        }
        return last.text();
    }

    private static String protocol(HttpServerRequest request) {
        return switch (request.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2.0";
        };
    }

    /** {@code 4.210}: milliseconds with three decimals, without a formatter. */
    private static void milliseconds(StringBuilder line, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        long fraction = micros % 1000;
        line.append(micros / 1000).append('.');
        if (fraction < 100) {
            line.append(fraction < 10 ? "00" : "0");
        }
        line.append(fraction);
    }

    private static String escaped(String text) {
        return text == null ? null : LogText.escaped(text);
    }

    /** Escaped, and a {@code "} as {@code \"}, to stand between quotes. */
    private static String quotable(String text) {
        String escaped = escaped(text);
        return escaped == null || escaped.indexOf('"') < 0 ? escaped : escaped.replace("\"", "\\\"");
    }

    private static String orDash(String text) {
        return text == null || text.isEmpty() ? "-" : text;
    }

    /**
     * {@code "name":"value"} or {@code "name":null}. The value is escaped as in the text format first, so that no
     * control character is left; then JSON's own two, {@code "} and {@code \}.
     */
    private static StringBuilder field(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        if (value == null) {
            return line.append("null");
        }
        String escaped = LogText.escaped(value);
        line.append('"');
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\');
            }
            line.append(c);
        }
        return line.append('"');
    }
}
