package io.berth.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Descriptor;
import io.berth.oci.MediaTypes;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes image manifests, indexes and descriptors as image-spec v1.1 JSON. The bytes written are what gets pushed and
 * digested; nothing is ever re-serialized after that.
 */
public final class ManifestJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestJson() {
    }

    /** An image manifest ({@code application/vnd.oci.image.manifest.v1+json}). */
    public static byte[] image(Optional<String> artifactType, Descriptor config, List<Descriptor> layers,
                               Optional<Descriptor> subject, Map<String, String> annotations) {
        ObjectNode root = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        artifactType.ifPresent(t -> root.put("artifactType", t));
        root.set("config", descriptor(config));
        ArrayNode array = root.putArray("layers");
        layers.forEach(l -> array.add(descriptor(l)));
        subject.ifPresent(s -> root.set("subject", descriptor(s)));
        annotations(root, annotations);
        return bytes(root);
    }

    /** An image index ({@code application/vnd.oci.image.index.v1+json}). */
    public static byte[] index(Optional<String> artifactType, List<Descriptor> manifests, Optional<Descriptor> subject,
                               Map<String, String> annotations) {
        ObjectNode root = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        artifactType.ifPresent(t -> root.put("artifactType", t));
        ArrayNode array = root.putArray("manifests");
        manifests.forEach(m -> array.add(descriptor(m)));
        subject.ifPresent(s -> root.set("subject", descriptor(s)));
        annotations(root, annotations);
        return bytes(root);
    }

    /** One descriptor as a JSON object, optional fields only when set. */
    public static ObjectNode descriptor(Descriptor d) {
        ObjectNode node = JSON.createObjectNode().put("mediaType", d.mediaType());
        d.artifactType().ifPresent(t -> node.put("artifactType", t));
        node.put("digest", d.digest().toString()).put("size", d.size());
        if (!d.urls().isEmpty()) {
            ArrayNode urls = node.putArray("urls");
            d.urls().forEach(urls::add);
        }
        annotations(node, d.annotations());
        d.platform().ifPresent(p -> {
            ObjectNode platform = node.putObject("platform").put("architecture", p.architecture()).put("os", p.os());
            p.osVersion().ifPresent(v -> platform.put("os.version", v));
            p.variant().ifPresent(v -> platform.put("variant", v));
        });
        return node;
    }

    private static void annotations(ObjectNode node, Map<String, String> annotations) {
        if (!annotations.isEmpty()) {
            ObjectNode a = node.putObject("annotations");
            new java.util.TreeMap<>(annotations).forEach(a::put);
        }
    }

    private static byte[] bytes(ObjectNode root) {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
