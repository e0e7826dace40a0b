package io.berth.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --annotation KEY=VALUE} flags as a map. */
final class Annotations {
    private Annotations() {
    }

    static Map<String, String> parse(List<String> flags) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String flag : flags) {
            int eq = flag.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("an annotation is KEY=VALUE, got \"" + flag + "\"");
            }
            result.put(flag.substring(0, eq), flag.substring(eq + 1));
        }
        return result;
    }
}
