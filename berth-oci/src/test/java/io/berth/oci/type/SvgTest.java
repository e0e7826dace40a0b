package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What an icon may contain before a UI inlines it. */
class SvgTest {
    static final String OPEN = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\">";

    @ParameterizedTest
    @ValueSource(strings = {
            OPEN + "<rect width=\"24\" height=\"24\" rx=\"5\" fill=\"#123456\"/></svg>",
            OPEN + "<defs><linearGradient id=\"g\"/></defs><rect width=\"24\" height=\"24\" fill=\"url(#g)\"/></svg>",
            OPEN + "<use href=\"#a\"/><text x=\"12\" y=\"16\">Hi</text></svg>",
    })
    void accepts(String svg) {
        assertThat(Svg.problem(svg)).isEmpty();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("<svg viewBox=\"0 0 24 24\"/>", "root must be <svg xmlns"),
                Arguments.of("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "needs a viewBox"),
                Arguments.of("<html xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>", "root must be <svg"),
                Arguments.of(OPEN + "<rect>", "not well-formed"),
                Arguments.of("<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + OPEN + "&x;</svg>", "not well-formed"),
                Arguments.of(OPEN + "<script>alert(1)</script></svg>", "must not contain <script>"),
                Arguments.of(OPEN + "<foreignObject><div/></foreignObject></svg>", "must not contain <foreignObject>"),
                Arguments.of(OPEN + "<style>@import url(https://x.example/a.css);</style></svg>", "must not contain <style>"),
                Arguments.of(OPEN + "<rect onclick=\"alert(1)\"/></svg>", "event attributes (onclick)"),
                Arguments.of(OPEN + "<a xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"javascript:alert(1)\"/></svg>", "outside itself (xlink:href)"),
                Arguments.of(OPEN + "<image href=\"https://tracker.example/p.png\"/></svg>", "outside itself (href)"),
                Arguments.of(OPEN + "<rect fill=\"url( 'https://x.example/p#g' )\"/></svg>", "outside itself (fill)"),
                Arguments.of(OPEN + "<rect style=\"background: url(https://x.example/p.png)\"/></svg>", "outside itself (style)"),
                Arguments.of(OPEN + "x".repeat(Svg.MAX_CHARS) + "</svg>", "larger than"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refuses(String svg, String why) {
        assertThat(Svg.problem(svg)).get().asString().contains(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"data:image/svg+xml;base64,", "DATA:image/svg+xml;charset=utf-8;base64,"})
    void decodesBase64DataUrls(String prefix) {
        String svg = OPEN + "<rect width=\"1\" height=\"1\"/></svg>";

        assertThat(Svg.fromDataUrl(prefix + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8)))).contains(svg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"data:image/svg+xml,", "data:image/svg+xml;utf8,"})
    void decodesPercentEncodedDataUrls(String prefix) {
        String encoded = "%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 24 24%22%3E%3Ctext%3Ea+b%3C/text%3E%3C/svg%3E";

        assertThat(Svg.fromDataUrl(prefix + encoded))
                .contains("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"><text>a+b</text></svg>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"data:image/png;base64,iVBORw0KGgo=", "data:image/svg+xml,%3", "https://x.example/a.svg"})
    void otherUrlsAreNotSvgData(String url) {
        assertThat(Svg.fromDataUrl(url)).isEmpty();
    }

    /** A few thousand nested elements fit in MAX_CHARS and overflowed the stack until the catalog's fuzz test. */
    @org.junit.jupiter.api.Test
    void deeplyNestedIconsAreWalkedWithoutOverflowingTheStack() {
        String deep = "<g>".repeat(4000) + "</g>".repeat(4000);
        String deepScript = "<g>".repeat(4000) + "<script/>" + "</g>".repeat(4000);

        assertThat(Svg.problem(OPEN + deep + "</svg>")).isEmpty();
        assertThat(Svg.problem(OPEN + deepScript + "</svg>")).hasValueSatisfying(p -> assertThat(p).contains("<script>"));
    }
}
