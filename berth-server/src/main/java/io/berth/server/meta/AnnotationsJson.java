package io.berth.server.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/** The {@code annotations_json} column: a manifest's annotations as a JSON object, keys sorted. */
final class AnnotationsJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private AnnotationsJson() {
    }

    static String write(Map<String, String> annotations) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(annotations));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("annotations cannot be written as JSON", e);
        }
    }

    static Map<String, String> read(String json) {
        try {
            return JSON.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored annotations are not a JSON object of strings: " + json, e);
        }
    }
}
