package io.berth.oci.type;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.oci.type.Fields.Invalid;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code mediaTypeMappings.json} format of the 2019 OCI artifacts proposal ({@code schemaVersion: 1},
 * {@code mediaTypes[]}), read unchanged. Each entry is a type matched on {@code config.mediaType} or
 * {@code artifactType} equal to its {@code mediaType}. Only a missing {@code mediaType} drops an entry; an unusable
 * optional field ({@code moreInfo}, {@code icon.svg}, a tool link) is dropped with a problem. {@code schemaVersion}
 * and {@code schemaValidation} are not used; unknown fields are ignored.
 */
final class SeedFormat {
    static final int VERSION = 1;

    /** What one entry says. */
    record SeedEntry(String mediaType, String title, Optional<String> description, Optional<Icon> icon,
                     Optional<URI> moreInfo, List<ArtifactType.Link> links) {
    }

    private SeedFormat() {
    }

    static SeedEntry entry(JsonNode node, TypeSource source, Consumer<String> dropped) throws Invalid {
        Fields.object(node, "a mediaTypes entry");
        String mediaType = Fields.required(node, "mediaType");
        String title = optional(node, "title", dropped).orElse(mediaType);
        Optional<String> description = optional(node, "description", dropped);
        Optional<URI> moreInfo = optional(node, "moreInfo", dropped).flatMap(u -> url(u, "moreInfo", dropped));
        Optional<Icon> icon = optional(node, "icon.svg", dropped).flatMap(svg -> {
            try {
                return Optional.of(Icons.resolve(svg, source));
            } catch (Invalid e) {
                dropped.accept("icon.svg: " + e.getMessage());
                return Optional.empty();
            }
        });
        if (icon.isEmpty()) {
            icon = optional(node, "icon.png", dropped).flatMap(png -> url(png, "icon.png", dropped))
                    .map(href -> new Icon(Icons.GENERIC, Optional.of(href)));
        }
        List<ArtifactType.Link> links = new ArrayList<>();
        for (JsonNode tool : node.path("tools")) {
            Optional<String> installer = optional(tool, "installer", dropped);
            Optional<URI> url = installer.flatMap(u -> url(u, "tools[].installer", dropped));
            url.ifPresent(u -> links.add(new ArtifactType.Link(
                    optional(tool, "title", dropped).orElse(u.getHost()), u)));
        }
        return new SeedEntry(mediaType, title, description, icon, moreInfo, links);
    }

    /**
     * The id of a type made from a seed entry: the media type without {@code application/}, lower-cased, with every
     * run of other characters than {@code a-z0-9} turned into one dash ({@code vnd-cncf-helm-config-v3-json}).
     */
    static String idFor(String mediaType) {
        String id = mediaType.toLowerCase(Locale.ROOT).replaceFirst("^application/", "")
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return id.isEmpty() ? "media-type" : id;
    }

    private static Optional<String> optional(JsonNode node, String field, Consumer<String> dropped) {
        try {
            return Fields.optional(node, field);
        } catch (Invalid e) {
            dropped.accept(e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<URI> url(String text, String field, Consumer<String> dropped) {
        try {
            return Optional.of(Fields.webUrl(text, field));
        } catch (Invalid e) {
            dropped.accept(e.getMessage());
            return Optional.empty();
        }
    }
}
