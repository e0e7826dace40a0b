package io.berth.server.listing;

import io.berth.oci.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which annotations a list entry carries ({@code annotations=} on {@code GET /api/v1/artifacts}): the well-known four
 * under short names in {@code annotations} (what the UI's lists show), and with {@code annotations=all} also every
 * annotation of the manifest under its own key in {@code allAnnotations}, within {@link #BUDGET_BYTES} per entry so
 * that a page stays bounded: annotations are taken in key order while they fit, and an entry that had more says
 * {@code "annotationsTruncated": true} (the single-artifact view has them all).
 */
enum AnnotationsShown {
    WELL_KNOWN,
    ALL;

    /** Keys and values (UTF-8) of one entry's {@code allAnnotations}: 1000 entries of a page stay under 8 MiB of them. */
    static final int BUDGET_BYTES = 8 * 1024;

    static AnnotationsShown parse(Optional<String> value) {
        return switch (value.orElse("well-known")) {
            case "well-known" -> WELL_KNOWN;
            case "all" -> ALL;
            default -> throw ErrorCode.UNSUPPORTED.exception(400,
                    "annotations must be \"all\" or \"well-known\", was " + value.get());
        };
    }

    /** The annotations that fit the budget, in key order; fewer than given when some did not fit. */
    static Map<String, String> withinBudget(Map<String, String> annotations) {
        Map<String, String> shown = new TreeMap<>();
        int used = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(annotations).entrySet()) {
            int size = e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
            if (used + size <= BUDGET_BYTES) {
                shown.put(e.getKey(), e.getValue());
                used += size;
            }
        }
        return shown;
    }
}
