package io.berth.oci.type;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a type file into its top-level fields, keeping the line and column where each element of a top-level array
 * starts, so that problems with one entry can point at it. Syntax errors surface as {@link JsonProcessingException},
 * whose location Jackson fills in for JSON and YAML alike.
 */
final class TypeFileReader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Made on first use: most catalogs are JSON only, and a YAML mapper costs start-up time. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    /** An array element with the position of its first token. */
    record Entry(int index, JsonNode node, int line, int column) {
    }

    /** The top-level object: plain fields, and the located elements of each top-level array. */
    record Document(Map<String, JsonNode> fields, Map<String, List<Entry>> arrays) {
    }

    /** Thrown for a file that is well-formed but not a single object. */
    static final class NotAnObject extends Exception {
        final JsonLocation location;

        NotAnObject(String message, JsonLocation location) {
            super(message);
            this.location = location;
        }
    }

    private TypeFileReader() {
    }

    static Document read(TypeSource source) throws IOException, NotAnObject {
        ObjectMapper mapper = source.isYaml() ? Yaml.MAPPER : JSON;
        try (JsonParser p = mapper.createParser(source.bytes())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new NotAnObject(first == null ? "the file is empty" : "the file must hold one object",
                        p.currentTokenLocation());
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            Map<String, List<Entry>> arrays = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY) {
                    List<Entry> entries = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        JsonLocation at = p.currentTokenLocation();
                        entries.add(new Entry(entries.size(), tree(p), at.getLineNr(), at.getColumnNr()));
                    }
                    arrays.put(name, entries);
                    fields.put(name, mapper.getNodeFactory().arrayNode(entries.size())
                            .addAll(entries.stream().map(Entry::node).toList()));
                } else {
                    fields.put(name, tree(p));
                }
            }
            if (p.nextToken() != null) {
                throw new NotAnObject("unexpected content after the top-level object", p.currentTokenLocation());
            }
            return new Document(fields, arrays);
        }
    }

    private static JsonNode tree(JsonParser p) throws IOException {
        JsonNode node = p.readValueAsTree();
        return node == null ? NullNode.instance : node;
    }
}
