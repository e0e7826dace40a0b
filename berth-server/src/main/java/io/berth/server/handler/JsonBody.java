package io.berth.server.handler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Descriptor;

/** JSON bodies the registry writes itself (lists, referrers indexes). */
final class JsonBody {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonBody() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Appends a descriptor in the image-spec's field names and order. */
    static void add(ArrayNode array, Descriptor descriptor) {
        ObjectNode node = array.addObject();
        node.put("mediaType", descriptor.mediaType());
        node.put("digest", descriptor.digest().toString());
        node.put("size", descriptor.size());
        descriptor.artifactType().ifPresent(type -> node.put("artifactType", type));
        if (!descriptor.annotations().isEmpty()) {
            ObjectNode annotations = node.putObject("annotations");
            descriptor.annotations().forEach(annotations::put);
        }
    }
}
