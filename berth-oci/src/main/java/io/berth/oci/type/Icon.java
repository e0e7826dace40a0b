package io.berth.oci.type;

import java.net.URI;
import java.util.Optional;

/**
 * A type's icon. {@link #svg} is always renderable: the type's own inline SVG (checked by {@link Svg#problem}: a 24×24
 * {@code viewBox}, no scripts, no external references) or the generic icon. {@link #href} keeps an external icon a
 * {@code mediaTypeMappings.json} entry pointed at; Berth never fetches it, a UI may choose to show it.
 */
public record Icon(String svg, Optional<URI> href) {
    public static Icon inline(String svg) {
        return new Icon(svg, Optional.empty());
    }
}
