package io.berth.server.auth;

import java.util.regex.Pattern;

/**
 * A repository name pattern: {@code *} matches within one path segment, {@code **} across segments, {@code **}{@code /}
 * also matches no segment at all. {@code team-a/*} matches {@code team-a/app} but not {@code team-a/app/web};
 * {@code samples/**} matches both {@code samples/a} and {@code samples/a/b}; {@code **} matches every name.
 */
final class Glob {
    /** The regular expression of {@code **}, which matches every name. */
    static final String EVERYTHING = compile("**").pattern();

    private Glob() {
    }

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            if (glob.startsWith("**/", i)) {
                regex.append("(?:.+/)?");
                i += 3;
            } else if (glob.startsWith("**", i)) {
                regex.append(".*");
                i += 2;
            } else if (glob.charAt(i) == '*') {
                regex.append("[^/]*");
                i++;
            } else {
                int next = i;
                while (next < glob.length() && glob.charAt(next) != '*') {
                    next++;
                }
                regex.append(Pattern.quote(glob.substring(i, next)));
                i = next;
            }
        }
        return Pattern.compile(regex.toString());
    }
}
