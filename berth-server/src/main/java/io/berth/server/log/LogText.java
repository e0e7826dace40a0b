package io.berth.server.log;

/**
 * Text from a request made safe for one log line: control characters (CR and LF first of all, which would start a
 * forged line), DEL and the Unicode line and paragraph separators become {@code \n}, {@code \r}, {@code \t} or
 * {@code \\u…} escapes, and a backslash becomes two, so what is logged reads back as what was sent.
 */
public final class LogText {
    private static final int MAX_LENGTH = 512;

    private LogText() {
    }

    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder escaped = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 8);
        for (int i = 0; i < text.length() && escaped.length() < MAX_LENGTH; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                case '\\' -> escaped.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        if (escaped.length() >= MAX_LENGTH && text.length() > MAX_LENGTH) {
            escaped.append("…");
        }
        return escaped.toString();
    }
}
