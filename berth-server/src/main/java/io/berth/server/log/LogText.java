package io.berth.server.log;

/**
 * Makes client-provided text safe to put in a log line: a user name such as {@code "x\n… denied …"} must not start a
 * forged line. Control characters (C0, DEL, C1), Unicode line and paragraph separators and invisible format characters
 * (bidirectional overrides among them) become {@code \n}, {@code \r}, {@code \t} or {@code \\uXXXX}; a backslash
 * becomes {@code \\} so that an escape in the log always means an escaped character.
 */
public final class LogText {
    private LogText() {
    }

    /** {@code value}'s text with the characters above escaped; {@code null} as {@code null}. */
    public static String escaped(Object value) {
        String text = String.valueOf(value);
        if (text.chars().noneMatch(LogText::unsafe)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.chars().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (unsafe(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        });
        return out.toString();
    }

    private static boolean unsafe(int c) {
        int type = Character.getType(c);
        return c == '\\' || type == Character.CONTROL || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT;
    }
}
