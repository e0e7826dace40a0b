package io.berth.oci;

/**
 * The distribution-spec's grammars for repository names and tags, checked by loops rather than by the spec's regular
 * expressions: every request names a repository and most a tag, and the expressions' matchers cost several percent
 * of a small request (and recurse per path segment). {@code GrammarTest} holds each loop to its expression.
 */
final class Grammar {
    private Grammar() {
    }

    /**
     * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}: runs of lowercase letters and
     * digits, each joined to the next by one separator ({@code .}, {@code _}, {@code __}, dashes, or {@code /}).
     */
    static boolean isRepositoryName(String text) {
        int n = text.length();
        int i = 0;
        if (n == 0 || !isLowerAlnum(text.charAt(0))) {
            return false;
        }
        while (true) {
            while (i < n && isLowerAlnum(text.charAt(i))) {
                i++;
            }
            if (i == n) {
                return true;
            }
            char c = text.charAt(i++);
            if (c == '_' && i < n && text.charAt(i) == '_') {
                i++;
            } else if (c == '-') {
                while (i < n && text.charAt(i) == '-') {
                    i++;
                }
            } else if (c != '.' && c != '_' && c != '/') {
                return false;
            }
            if (i == n || !isLowerAlnum(text.charAt(i))) {
                return false;
            }
        }
    }

    /** {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
    static boolean isTag(String text) {
        int n = text.length();
        if (n == 0 || n > 128 || text.charAt(0) == '.' || text.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (!(isAlnum(c) || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAlnum(char c) {
        return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
    }
}
