package io.berth.client.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.ContentStore;
import io.berth.client.FetchedManifest;
import io.berth.client.ManifestJson;
import io.berth.oci.Descriptor;
import io.berth.oci.ErrorCode;
import io.berth.oci.Manifest;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates an image index from manifests already in a store, as {@code oras manifest index create} does: each
 * entry's {@code platform} is read from the image config ({@code os}, {@code architecture}, {@code variant},
 * {@code os.version}).
 */
final class IndexBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IMAGE_CONFIGS = Set.of(MediaTypes.OCI_CONFIG,
            "application/vnd.docker.container.image.v1+json");

    private IndexBuilder() {
    }

    static Descriptor create(ContentStore store, Reference target, List<Reference> sources, Map<String, String> annotations) {
        List<Descriptor> entries = new ArrayList<>();
        for (Reference source : sources) {
            FetchedManifest fetched = Artifacts.require(store, source);
            Manifest manifest = fetched.parsed();
            Descriptor plain = fetched.plainDescriptor();
            Optional<Descriptor.Platform> platform = manifest.config()
                    .filter(c -> IMAGE_CONFIGS.contains(c.mediaType()))
                    .map(c -> platform(store, c));
            entries.add(new Descriptor(plain.mediaType(), plain.digest(), plain.size(),
                    manifest.artifactType(), Map.of(), platform, List.of()));
        }
        if (entries.isEmpty()) {
            throw ErrorCode.MANIFEST_INVALID.exception("an index needs at least one manifest");
        }
        byte[] index = ManifestJson.index(Optional.empty(), entries, Optional.empty(), annotations);
        return store.pushManifest(target, index, MediaTypes.OCI_INDEX);
    }

    private static Descriptor.Platform platform(ContentStore store, Descriptor config) {
        try (InputStream in = store.openBlob(config)) {
            JsonNode c = JSON.readTree(in.readAllBytes());
            return new Descriptor.Platform(c.path("os").asText("unknown"), c.path("architecture").asText("unknown"),
                    text(c, "variant"), text(c, "os.version"));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the config " + config.digest() + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        return Optional.of(node.path(field).asText("")).filter(s -> !s.isEmpty());
    }
}
