package io.berth.oci.type;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Turns the {@code icon} value of a type file into an {@link Icon}. */
final class Icons {
    /** Drawn for types without an icon of their own (or with only an external one). */
    static final String GENERIC = resource("icons/generic.svg");

    private Icons() {
    }

    static Icon generic() {
        return Icon.inline(GENERIC);
    }

    /**
     * {@code <svg…>} inline, a {@code data:image/svg+xml} URL, an {@code http(s)} URL (kept as {@link Icon#href}, drawn
     * with the generic icon), or a {@code .svg} file relative to the type file.
     */
    static Icon resolve(String value, TypeSource source) throws Fields.Invalid {
        String text = value.strip();
        if (text.startsWith("<")) {
            return Icon.inline(checked(text));
        }
        if (text.regionMatches(true, 0, "data:", 0, 5)) {
            Optional<String> svg = Svg.fromDataUrl(text);
            if (svg.isPresent()) {
                return Icon.inline(checked(svg.get()));
            }
            if (text.regionMatches(true, 0, "data:image/", 0, 11)) {
                try {
                    return new Icon(GENERIC, Optional.of(new URI(text)));
                } catch (java.net.URISyntaxException e) {
                    throw new Fields.Invalid("icon data: URL is malformed: " + e.getReason());
                }
            }
            throw new Fields.Invalid("icon data: URL must be an image");
        }
        if (text.regionMatches(true, 0, "http://", 0, 7) || text.regionMatches(true, 0, "https://", 0, 8)) {
            return new Icon(GENERIC, Optional.of(Fields.webUrl(text, "icon")));
        }
        if (!text.endsWith(".svg") || text.startsWith("/") || text.contains("\\") || text.contains(":")
                || ("/" + text + "/").contains("/../")) {
            throw new Fields.Invalid("icon must be inline SVG, a data: or http(s) URL, or a relative .svg file: " + text);
        }
        byte[] bytes = source.relative().apply(text)
                .orElseThrow(() -> new Fields.Invalid("icon file not found next to " + source.name() + ": " + text));
        return Icon.inline(checked(new String(bytes, StandardCharsets.UTF_8).strip()));
    }

    private static String checked(String svg) throws Fields.Invalid {
        Optional<String> problem = Svg.problem(svg);
        if (problem.isPresent()) {
            throw new Fields.Invalid(problem.get());
        }
        return svg;
    }

    private static String resource(String name) {
        try (InputStream in = Icons.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
