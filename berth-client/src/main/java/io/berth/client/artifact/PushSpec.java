package io.berth.client.artifact;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to push as one artifact manifest.
 *
 * @param artifactType the manifest's {@code artifactType}; when absent and there is no config,
 *                     {@code application/vnd.unknown.artifact.v1} as ORAS does
 * @param config       a config file with its media type; absent: the empty descriptor
 *                     ({@code application/vnd.oci.empty.v1+json}, content {@code {}})
 * @param files        the layers, in order
 * @param annotations  the manifest's annotations ({@code org.opencontainers.image.created} is added when missing)
 */
public record PushSpec(Optional<String> artifactType, Optional<FileSpec> config, List<FileSpec> files,
                       Map<String, String> annotations) {
    public static final String UNKNOWN_ARTIFACT = "application/vnd.unknown.artifact.v1";

    public PushSpec {
        files = List.copyOf(files);
        annotations = Map.copyOf(annotations);
    }

    public static PushSpec of(String artifactType, List<FileSpec> files) {
        return new PushSpec(Optional.of(artifactType), Optional.empty(), files, Map.of());
    }

    public PushSpec withConfig(FileSpec configFile) {
        return new PushSpec(artifactType, Optional.of(configFile), files, annotations);
    }

    public PushSpec withAnnotations(Map<String, String> more) {
        var all = new java.util.LinkedHashMap<>(annotations);
        all.putAll(more);
        return new PushSpec(artifactType, config, files, all);
    }
}
