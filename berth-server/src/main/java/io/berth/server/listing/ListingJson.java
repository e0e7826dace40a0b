package io.berth.server.listing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.berth.oci.Descriptor;
import io.berth.oci.type.ActionTemplate;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.Match;
import io.berth.oci.type.Rule;
import io.berth.oci.type.Target;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.ArtifactListing.ArtifactRow;
import io.berth.server.meta.ArtifactListing.RepositorySummary;
import io.berth.server.scan.ScanJson;
import io.berth.server.scan.ScanStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The listing API's JSON: one method per kind of object, the same shapes in every response. */
final class ListingJson {
    static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new Jdk8Module());
    private static final Map<String, String> SHOWN_ANNOTATIONS = Map.of(
            "org.opencontainers.image.title", "title",
            "org.opencontainers.image.description", "description",
            "org.opencontainers.image.version", "version",
            "org.opencontainers.image.created", "created");

    private ListingJson() {
    }

    static String iconUrl(String typeId) {
        return "/api/v1/types/" + typeId + "/icon.svg";
    }

    /**
     * A type file's name without its directory: the catalog is public, and where the server keeps its files is not
     * the reader's business ({@code built-in} stays as it is).
     */
    static String fileName(String source) {
        int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
        return source.substring(slash + 1);
    }

    static ObjectNode type(ArtifactType type) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("id", type.id())
                .put("title", type.title())
                .put("description", type.description())
                .put("icon", iconUrl(type.id()))
                .put("scanner", type.scanner().id())
                .put("source", fileName(type.source()));
        type.moreInfo().ifPresent(uri -> node.put("moreInfo", uri.toString()));
        ArrayNode detection = node.putArray("detection");
        for (Rule rule : type.rules()) {
            ArrayNode all = detection.addArray();
            for (Match match : rule.all()) {
                ObjectNode condition = MAPPER.valueToTree(match);
                all.add(MAPPER.createObjectNode().put("kind", match.getClass().getSimpleName()).setAll(condition));
            }
        }
        ArrayNode actions = node.putArray("actions");
        type.actions().forEach(a -> {
            ObjectNode action = actions.addObject().put("title", a.title()).put("command", a.command());
            a.untagged().ifPresent(u -> action.put("untagged", u));
        });
        ArrayNode links = node.putArray("links");
        type.links().forEach(l -> links.addObject().put("title", l.title()).put("url", l.url().toString()));
        return node;
    }

    static ObjectNode typeRef(ArtifactType type) {
        return MAPPER.createObjectNode().put("id", type.id()).put("title", type.title()).put("icon", iconUrl(type.id()));
    }

    static ObjectNode repository(RepositorySummary summary) {
        ObjectNode node = MAPPER.createObjectNode().put("name", summary.repository().name());
        ObjectNode counts = node.putObject("artifacts");
        summary.artifactsByType().forEach(counts::put);
        node.put("lastPush", summary.lastPush().toString());
        node.put("size", summary.totalSize());
        return node;
    }

    /**
     * One artifact of the listing, with its type, rendered actions, referrer counts, annotations as {@code shown} and
     * where it stands with the scanners. Written straight to {@code json}: a page of the listing writes a hundred of
     * them, and a tree of nodes per artifact cost several times the page's own bytes in garbage.
     *
     * @param registry {@code host[:port]} to put into rendered commands
     */
    static void writeArtifact(JsonGenerator json, ArtifactRow row, TypeCatalog catalog, String registry,
                              Map<String, Long> referrers, AnnotationsShown shown, ScanStatus scan) throws IOException {
        ArtifactType type = catalog.type(row.typeId()).orElse(catalog.unknown());
        json.writeStartObject();
        json.writeStringField("repository", row.repository().name());
        json.writeStringField("reference",
                row.repository().name() + row.tag().map(t -> ":" + t).orElse("@" + row.digest()));
        json.writeStringField("tag", row.tag().orElse(null));
        json.writeStringField("digest", row.digest().toString());
        json.writeStringField("mediaType", row.mediaType());
        json.writeStringField("artifactType", row.artifactType().orElse(null));
        json.writeObjectFieldStart("type");
        json.writeStringField("id", type.id());
        json.writeStringField("title", type.title());
        json.writeStringField("icon", iconUrl(type.id()));
        json.writeEndObject();
        json.writeArrayFieldStart("platforms");
        for (String platform : row.platforms()) {
            json.writeString(platform);
        }
        json.writeEndArray();
        json.writeNumberField("size", row.size());
        json.writeStringField("pushedAt", row.pushedAt().toString());
        json.writeObjectFieldStart("annotations");
        for (Map.Entry<String, String> shownKey : SHOWN_ANNOTATIONS.entrySet()) {
            String value = row.annotations().get(shownKey.getKey());
            if (value != null) {
                json.writeStringField(shownKey.getValue(), value);
            }
        }
        json.writeEndObject();
        if (shown == AnnotationsShown.ALL) {
            Map<String, String> fitting = AnnotationsShown.withinBudget(row.annotations());
            writeStrings(json, "allAnnotations", fitting);
            if (fitting.size() < row.annotations().size()) {
                json.writeBooleanField("annotationsTruncated", true);
            }
        }
        json.writeObjectFieldStart("referrers");
        for (Map.Entry<String, Long> count : referrers.entrySet()) {
            json.writeNumberField(count.getKey(), count.getValue());
        }
        json.writeEndObject();
        json.writeArrayFieldStart("actions");
        for (ActionTemplate.Action action : type.actionsFor(Target.of(registry, row.repository(), row.tag().orElse(null),
                row.digest()))) {
            json.writeStartObject();
            json.writeStringField("title", action.title());
            json.writeStringField("command", action.command());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeFieldName("scan");
        json.writeTree(ScanJson.status(scan));
        json.writeEndObject();
    }

    /** {@link #writeArtifact} as a tree, for the full view of one artifact, which adds to it. */
    static ObjectNode artifact(ArtifactRow row, TypeCatalog catalog, String registry, Map<String, Long> referrers,
                               AnnotationsShown shown, ScanStatus scan) {
        try (TokenBuffer tokens = new TokenBuffer(MAPPER, false)) {
            writeArtifact(tokens, row, catalog, registry, referrers, shown, scan);
            return MAPPER.readTree(tokens.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeStrings(JsonGenerator json, String field, Map<String, String> strings) throws IOException {
        json.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : strings.entrySet()) {
            json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
    }

    static ObjectNode descriptor(Descriptor descriptor) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("mediaType", descriptor.mediaType())
                .put("digest", descriptor.digest().toString())
                .put("size", descriptor.size());
        descriptor.artifactType().ifPresent(t -> node.put("artifactType", t));
        descriptor.platform().ifPresent(p -> node.put("platform", p.toString()));
        if (!descriptor.annotations().isEmpty()) {
            ObjectNode annotations = node.putObject("annotations");
            descriptor.annotations().forEach(annotations::put);
        }
        return node;
    }
}
