package io.berth.oci.type;

import java.util.Optional;
import java.util.function.Function;

/**
 * A type file's bytes and the name problems are reported under. A name ending in {@code .yaml} or {@code .yml} is read
 * as YAML, anything else as JSON. {@code relative} reads files the type file names relative to itself (icons such as
 * {@code icons/helm-chart.svg}); sources without a directory answer empty for every name.
 */
public record TypeSource(String name, byte[] bytes, Function<String, Optional<byte[]>> relative) {
    public static TypeSource of(String name, byte[] bytes) {
        return new TypeSource(name, bytes, path -> Optional.empty());
    }

    boolean isYaml() {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml");
    }
}
