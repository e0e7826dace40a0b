package io.berth.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses and validates manifests and indexes (OCI image-spec v1.1, Docker v2 schema 2 and manifest list).
 * Every rejection is a {@link RegistryException} with {@link ErrorCode#MANIFEST_INVALID}; the caller's bytes are
 * never re-serialized.
 */
public final class ManifestParser {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ManifestParser() {
    }

    /**
     * @param bytes       the manifest exactly as received
     * @param contentType the request's {@code Content-Type}, may be null
     */
    public static Manifest parse(byte[] bytes, String contentType) {
        JsonNode root = readTree(bytes);
        if (!root.isObject()) {
            throw invalid("a manifest must be a JSON object");
        }
        JsonNode schemaVersion = root.path("schemaVersion");
        if (isInt(schemaVersion, 1)) {
            throw invalid("Docker schema 1 manifests are not supported; push schema 2 or OCI (e.g. skopeo copy --format v2s2)");
        }
        if (!isInt(schemaVersion, 2)) {
            throw invalid("schemaVersion must be 2");
        }
        String declared = MediaTypes.essence(contentType);
        String mediaType = effectiveMediaType(root, declared);
        boolean index = MediaTypes.INDEXES.contains(mediaType);
        Optional<String> artifactType = optionalText(root, "artifactType");
        Optional<Descriptor> subject = root.has("subject") ? Optional.of(descriptor(root.get("subject"), "subject")) : Optional.empty();
        Map<String, String> annotations = annotations(root.get("annotations"), "annotations");
        if (index) {
            if (root.has("config") || root.has("layers")) {
                throw invalid("an index has no config or layers");
            }
            List<Descriptor> manifests = descriptors(root.get("manifests"), "manifests");
            return new Manifest(mediaType, artifactType, Optional.empty(), List.of(), manifests, subject, annotations);
        }
        if (root.has("manifests")) {
            throw invalid("an image manifest has no manifests array");
        }
        JsonNode config = root.get("config");
        if (config == null) {
            throw invalid("config is required");
        }
        List<Descriptor> layers = root.has("layers") || mediaType.equals(MediaTypes.DOCKER_MANIFEST)
                ? descriptors(root.get("layers"), "layers") : List.of();
        if (artifactType.isPresent() && mediaType.equals(MediaTypes.DOCKER_MANIFEST)) {
            throw invalid("artifactType is not part of Docker schema 2");
        }
        return new Manifest(mediaType, artifactType, Optional.of(descriptor(config, "config")), layers, List.of(),
                subject, annotations);
    }

    /** An integer JSON number equal to {@code value}; {@code asInt()} would wrap 4294967298 to 2 and read "2" as 2. */
    private static boolean isInt(JsonNode node, int value) {
        return node.isIntegralNumber() && node.canConvertToInt() && node.intValue() == value;
    }

    private static String effectiveMediaType(JsonNode root, String declared) {
        Optional<String> inBody = optionalText(root, "mediaType");
        if (inBody.isPresent()) {
            String mediaType = inBody.get();
            if (!MediaTypes.MANIFESTS.contains(mediaType)) {
                throw invalid("unsupported manifest media type " + mediaType);
            }
            // "If a manifest includes a mediaType field, clients MUST set the Content-Type header to the value specified
            // by the mediaType field." Only an absent or generic application/json Content-Type defers to the body.
            if (!declared.isEmpty() && !declared.equals(mediaType) && !declared.equals(MediaTypes.JSON)) {
                throw invalid("mediaType " + mediaType + " does not match Content-Type " + declared);
            }
            return mediaType;
        }
        if (MediaTypes.MANIFESTS.contains(declared)) {
            boolean looksLikeIndex = root.has("manifests");
            if (looksLikeIndex != MediaTypes.INDEXES.contains(declared)) {
                throw invalid("the body does not match Content-Type " + declared);
            }
            if (declared.startsWith("application/vnd.docker")) {
                throw invalid("Docker manifests must carry mediaType");
            }
            return declared;
        }
        throw invalid("unknown manifest media type " + (declared.isEmpty() ? "(no Content-Type)" : declared));
    }

    private static JsonNode readTree(byte[] bytes) {
        try (JsonParser parser = JSON.createParser(bytes)) {
            JsonNode node = JSON.readTree(parser);
            if (node == null || parser.nextToken() != null) {
                throw invalid("the body must be exactly one JSON value");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("unreadable JSON: " + e.getMessage());
        }
    }

    private static List<Descriptor> descriptors(JsonNode array, String field) {
        if (array == null || !array.isArray()) {
            throw invalid(field + " must be an array");
        }
        List<Descriptor> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            result.add(descriptor(array.get(i), field + "[" + i + "]"));
        }
        return result;
    }

    /** Parses one descriptor; {@code where} names it in error messages. */
    public static Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a descriptor object");
        }
        String mediaType = requiredText(node, "mediaType", where);
        Digest digest;
        try {
            digest = Digest.parse(requiredText(node, "digest", where));
        } catch (RegistryException e) {
            throw invalid(where + ".digest: " + e.detail());
        }
        JsonNode size = node.get("size");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw invalid(where + ".size must be a non-negative integer");
        }
        List<String> urls = new ArrayList<>();
        if (node.has("urls")) {
            if (!node.get("urls").isArray()) {
                throw invalid(where + ".urls must be an array");
            }
            for (int i = 0; i < node.get("urls").size(); i++) {
                JsonNode url = node.get("urls").get(i);
                if (!url.isTextual()) {
                    throw invalid(where + ".urls[" + i + "] must be a string");
                }
                urls.add(url.asText());
            }
        }
        return new Descriptor(mediaType, digest, size.asLong(), optionalText(node, "artifactType"),
                annotations(node.get("annotations"), where + ".annotations"), platform(node.get("platform"), where), urls);
    }

    private static Optional<Descriptor.Platform> platform(JsonNode node, String where) {
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw invalid(where + ".platform must be an object");
        }
        return Optional.of(new Descriptor.Platform(requiredText(node, "os", where + ".platform"),
                requiredText(node, "architecture", where + ".platform"), optionalText(node, "variant"),
                optionalText(node, "os.version")));
    }

    private static Map<String, String> annotations(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid(where + " must be an object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw invalid(where + "." + entry.getKey() + " must be a string");
            }
            result.put(entry.getKey(), entry.getValue().asText());
        }
        return result;
    }

    private static String requiredText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw invalid(where + "." + field + " must be a non-empty string");
        }
        return value.asText();
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return Optional.of(value.asText());
    }

    private static RegistryException invalid(String detail) {
        return ErrorCode.MANIFEST_INVALID.exception(detail);
    }
}
