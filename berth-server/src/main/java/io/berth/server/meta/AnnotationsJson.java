package io.berth.server.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The {@code annotations_json} column: a manifest's annotations as a JSON object, keys sorted. */
final class AnnotationsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnnotationsJson() {
    }

    static String write(Map<String, String> annotations) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(annotations));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("annotations cannot be written as JSON", e);
        }
    }

    /**
     * Read with the streaming parser, not data binding: every row of a listing page has this column, and binding cost
     * a parser, a deserialization context and a map's growth per row. Most manifests have no annotations: {@code {}}.
     */
    static Map<String, String> read(String json) {
        if (json.equals("{}")) {
            return Map.of();
        }
        try (JsonParser parser = JSON.getFactory().createParser(json)) {
            Map<String, String> annotations = new LinkedHashMap<>();
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject(json, null);
            }
            for (String key; (key = parser.nextFieldName()) != null; ) {
                String value = parser.nextTextValue();
                if (value == null) {
                    throw notAnObject(json, null);
                }
                annotations.put(key, value);
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw notAnObject(json, null);
            }
            return annotations;
        } catch (IOException e) {
            throw notAnObject(json, e);
        }
    }

    private static IllegalStateException notAnObject(String json, IOException cause) {
        return new IllegalStateException("stored annotations are not a JSON object of strings: " + json, cause);
    }
}
