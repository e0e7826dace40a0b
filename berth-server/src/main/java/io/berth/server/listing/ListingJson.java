package io.berth.server.listing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.berth.oci.Descriptor;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.Match;
import io.berth.oci.type.Rule;
import io.berth.oci.type.Target;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.ArtifactListing.ArtifactRow;
import io.berth.server.meta.ArtifactListing.RepositorySummary;
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
     * One artifact of the listing, with its type, rendered actions, referrer counts and annotations as {@code shown}.
     *
     * @param registry {@code host[:port]} to put into rendered commands
     */
    static ObjectNode artifact(ArtifactRow row, TypeCatalog catalog, String registry, Map<String, Long> referrers,
                               AnnotationsShown shown) {
        ArtifactType type = catalog.type(row.typeId()).orElse(catalog.unknown());
        String reference = row.repository().name() + row.tag().map(t -> ":" + t).orElse("@" + row.digest());
        ObjectNode node = MAPPER.createObjectNode()
                .put("repository", row.repository().name())
                .put("reference", reference);
        row.tag().ifPresentOrElse(t -> node.put("tag", t), () -> node.putNull("tag"));
        node.put("digest", row.digest().toString()).put("mediaType", row.mediaType());
        row.artifactType().ifPresentOrElse(t -> node.put("artifactType", t), () -> node.putNull("artifactType"));
        node.set("type", typeRef(type));
        ArrayNode platforms = node.putArray("platforms");
        row.platforms().forEach(platforms::add);
        node.put("size", row.size()).put("pushedAt", row.pushedAt().toString());
        ObjectNode annotations = node.putObject("annotations");
        SHOWN_ANNOTATIONS.forEach((key, name) -> {
            String value = row.annotations().get(key);
            if (value != null) {
                annotations.put(name, value);
            }
        });
        if (shown == AnnotationsShown.ALL) {
            Map<String, String> fitting = AnnotationsShown.withinBudget(row.annotations());
            ObjectNode all = node.putObject("allAnnotations");
            fitting.forEach(all::put);
            if (fitting.size() < row.annotations().size()) {
                node.put("annotationsTruncated", true);
            }
        }
        ObjectNode referrerCounts = node.putObject("referrers");
        referrers.forEach(referrerCounts::put);
        ArrayNode actions = node.putArray("actions");
        type.actionsFor(Target.of(registry, row.repository(), row.tag().orElse(null), row.digest()))
                .forEach(a -> actions.addObject().put("title", a.title()).put("command", a.command()));
        return node;
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
