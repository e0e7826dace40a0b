package io.berth.oci.type;

import io.berth.oci.Descriptor;
import io.berth.oci.Manifest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One condition of a detection {@link Rule}, evaluated on the manifest alone (never on blob contents). Each condition
 * belongs to the {@link Tier} of the manifest field it reads; a rule is tried in the tier of its strongest condition.
 */
public sealed interface Match {

    /** What a condition reads, in detection order: the first tier with a matching rule decides. */
    enum Tier {
        /** The manifest's {@code artifactType}. */
        ARTIFACT_TYPE,
        /** {@code config.mediaType}. */
        CONFIG,
        /** Layer media types and annotations (manifest, config, layer or index-child annotations). */
        CONTENT,
        /** The manifest's own media type and, for an index, its children's descriptors. */
        MANIFEST
    }

    /** Whose annotations an {@link AnnotationIs} reads. */
    enum Scope {
        /** The manifest's or index's own {@code annotations}. */
        MANIFEST,
        /** The config descriptor's annotations. */
        CONFIG,
        /** Any layer descriptor's annotations. */
        LAYER,
        /** Any child descriptor of an index. */
        CHILD
    }

    Tier tier();

    boolean test(Manifest manifest);

    /** {@code artifactType} is one of {@code mediaTypes} (exact string comparison, parameters included). */
    record ArtifactTypeIs(List<String> mediaTypes) implements Match {
        public ArtifactTypeIs {
            mediaTypes = List.copyOf(mediaTypes);
        }

        public Tier tier() {
            return Tier.ARTIFACT_TYPE;
        }

        public boolean test(Manifest m) {
            return m.artifactType().filter(mediaTypes::contains).isPresent();
        }
    }

    /** {@code config.mediaType} is one of {@code mediaTypes}. */
    record ConfigMediaTypeIs(List<String> mediaTypes) implements Match {
        public ConfigMediaTypeIs {
            mediaTypes = List.copyOf(mediaTypes);
        }

        public Tier tier() {
            return Tier.CONFIG;
        }

        public boolean test(Manifest m) {
            return m.config().map(Descriptor::mediaType).filter(mediaTypes::contains).isPresent();
        }
    }

    /** At least one layer's media type is one of {@code mediaTypes}. */
    record LayerMediaTypeIs(List<String> mediaTypes) implements Match {
        public LayerMediaTypeIs {
            mediaTypes = List.copyOf(mediaTypes);
        }

        public Tier tier() {
            return Tier.CONTENT;
        }

        public boolean test(Manifest m) {
            return m.layers().stream().anyMatch(l -> mediaTypes.contains(l.mediaType()));
        }
    }

    /** At least one layer's media type starts with {@code prefix}. */
    record LayerMediaTypePrefix(String prefix) implements Match {
        public Tier tier() {
            return Tier.CONTENT;
        }

        public boolean test(Manifest m) {
            return m.layers().stream().anyMatch(l -> l.mediaType().startsWith(prefix));
        }
    }

    /** An annotation {@code key} is present in {@code scope}, with {@code value} when one is given. */
    record AnnotationIs(Scope scope, String key, Optional<String> value) implements Match {
        public Tier tier() {
            return Tier.CONTENT;
        }

        public boolean test(Manifest m) {
            return switch (scope) {
                case MANIFEST -> holds(m.annotations());
                case CONFIG -> m.config().map(c -> holds(c.annotations())).orElse(false);
                case LAYER -> m.layers().stream().anyMatch(l -> holds(l.annotations()));
                case CHILD -> m.manifests().stream().anyMatch(c -> holds(c.annotations()));
            };
        }

        private boolean holds(Map<String, String> annotations) {
            String actual = annotations.get(key);
            return actual != null && value.map(actual::equals).orElse(true);
        }
    }

    /** The manifest's own media type is one of {@code mediaTypes}. */
    record ManifestMediaTypeIs(List<String> mediaTypes) implements Match {
        public ManifestMediaTypeIs {
            mediaTypes = List.copyOf(mediaTypes);
        }

        public Tier tier() {
            return Tier.MANIFEST;
        }

        public boolean test(Manifest m) {
            return mediaTypes.contains(m.mediaType());
        }
    }

    /**
     * An index whose children, apart from attestation entries (BuildKit's {@code vnd.docker.reference.type:
     * attestation-manifest} or platform {@code unknown/unknown}), are all image manifests naming a platform, and there
     * is at least one: the shape of a multi-platform image. Reads the children's descriptors only, never the child
     * manifests.
     */
    record ChildrenHavePlatforms() implements Match {
        public Tier tier() {
            return Tier.MANIFEST;
        }

        public boolean test(Manifest m) {
            List<Descriptor> children = m.manifests().stream().filter(c -> !Platforms.isAttestation(c)).toList();
            return !children.isEmpty() && children.stream()
                    .allMatch(c -> c.platform().isPresent() && Platforms.IMAGE_MANIFESTS.contains(c.mediaType()));
        }
    }
}
