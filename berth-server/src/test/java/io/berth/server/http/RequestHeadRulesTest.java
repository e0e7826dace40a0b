package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link RequestHeadRules#isHost} is the loop form of a regular expression: both answer alike on every input. */
class RequestHeadRulesTest {
    private static final Pattern HOST =
            Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(:[0-9]{0,5})?");

    @Test
    void theHostRuleMatchesItsRegularExpression() {
        List<String> chosen = List.of("localhost", "127.0.0.1:5000", "[::1]", "[::1]:443", "registry.example.com:",
                "", "[]", "[", "]", "[::1", "a b", "a/b", "user@host", "h:1:2", "h:123456", "h:12345", "[g::1]", "é.com",
                "[::1]x", ":80", "host:8a", "xn--bcher-kva.example", "a%20b", "[1.2.3.4]:0");
        for (String host : chosen) {
            assertThat(RequestHeadRules.isHost(host)).as(host).isEqualTo(HOST.matcher(host).matches());
        }
        String alphabet = "aZ09.-_~%!$&'()*+,;=:[]/@ \té\u0000";
        Random random = new Random(16);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder host = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                host.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = host.toString();
            assertThat(RequestHeadRules.isHost(text)).as(text).isEqualTo(HOST.matcher(text).matches());
        }
    }
}
