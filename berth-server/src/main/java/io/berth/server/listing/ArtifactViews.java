package io.berth.server.listing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.auth.Decision;
import io.berth.server.meta.ArtifactListing;
import io.berth.server.meta.ArtifactListing.ArtifactRow;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.meta.StoredManifest;
import io.berth.server.scan.ScanStatuses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An artifact as the listing shows it: the entry of a list (type, actions, referrer counts, scan) and the full view
 * of one artifact (manifest, config, layers, typed index children and, recursively, its referrers).
 */
final class ArtifactViews {
    private static final int MAX_REFERRER_DEPTH = 4;
    private static final int MAX_REFERRERS = 100;

    private final ArtifactListing listing;
    private final ManifestIndex manifests;
    private final ScanStatuses scans;

    ArtifactViews(ArtifactListing listing, ManifestIndex manifests, ScanStatuses scans) {
        this.listing = listing;
        this.manifests = manifests;
        this.scans = scans;
    }

    /** Writes the list entries of a page of rows, the referrer counts of the page read at once per repository. */
    void writeEntries(JsonGenerator json, List<ArtifactRow> rows, TypeCatalog types, String registry,
                      AnnotationsShown shown) throws IOException {
        Map<Repository, List<Digest>> byRepository = new LinkedHashMap<>();
        rows.forEach(row -> byRepository.computeIfAbsent(row.repository(), r -> new ArrayList<>()).add(row.digest()));
        Map<Repository, Map<Digest, Map<String, Long>>> counts = listing.referrerCounts(byRepository);
        for (ArtifactRow row : rows) {
            ListingJson.writeArtifact(json, row, types, registry, counts.get(row.repository()).get(row.digest()), shown,
                    scans.status(row.repository(), row.digest(), row.typeId()));
        }
    }

    /** One artifact in full; an unreadable repository is answered exactly like a missing manifest. */
    ObjectNode full(Repository repository, Reference reference, Decision.Grant grant, TypeCatalog types, String registry) {
        StoredManifest stored = (!grant.canRead(repository) ? Optional.<StoredManifest>empty()
                : reference instanceof Reference.Tag tag
                ? manifests.manifestByTag(repository, tag)
                : manifests.manifest(repository, ((Reference.ByDigest) reference).digest()))
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.exception(repository + ":" + reference + " is unknown"));
        ArtifactRow row = listing.manifest(repository, stored.digest()).orElseThrow();
        if (reference instanceof Reference.Tag tag) {
            row = new ArtifactRow(row.repository(), Optional.of(tag.name()), row.digest(), row.mediaType(),
                    row.artifactType(), row.typeId(), row.platforms(), row.size(), row.pushedAt(), row.annotations());
        }
        ObjectNode body = detail(row, stored, types, registry, 0);
        ArrayNode tags = body.putArray("tags");
        listing.tagsOf(repository, stored.digest()).forEach(tags::add);
        return body;
    }

    private ObjectNode detail(ArtifactRow row, StoredManifest stored, TypeCatalog types, String registry, int depth) {
        // the full view has every annotation of the manifest, unbudgeted: one manifest is bounded by its size limit
        Map<String, Long> referrerCounts = listing.referrerCounts(Map.of(row.repository(), List.of(row.digest())))
                .get(row.repository()).get(row.digest());
        ObjectNode node = ListingJson.artifact(row, types, registry, referrerCounts, AnnotationsShown.WELL_KNOWN,
                scans.status(row.repository(), row.digest(), row.typeId()));
        Manifest manifest = ManifestParser.parse(stored.content(), stored.mediaType());
        node.set("manifest", readTree(stored.content()));
        manifest.config().ifPresent(config -> node.set("config", ListingJson.descriptor(config)));
        ArrayNode layers = node.putArray("layers");
        manifest.layers().forEach(layer -> layers.add(ListingJson.descriptor(layer)));
        ObjectNode allAnnotations = node.putObject("allAnnotations");
        manifest.annotations().forEach(allAnnotations::put);
        ArrayNode children = node.putArray("children");
        for (Descriptor child : manifest.manifests()) {
            ObjectNode entry = ListingJson.descriptor(child);
            listing.manifest(row.repository(), child.digest()).ifPresent(childRow -> {
                entry.set("type", ListingJson.typeRef(types.type(childRow.typeId()).orElse(types.unknown())));
                entry.put("totalSize", childRow.size());
            });
            children.add(entry);
        }
        ArrayNode referrers = node.putArray("referrerTree");
        if (depth < MAX_REFERRER_DEPTH) {
            for (ArtifactRow referrer : listing.referrers(row.repository(), row.digest(), MAX_REFERRERS)) {
                manifests.manifest(referrer.repository(), referrer.digest()).ifPresent(referrerManifest ->
                        referrers.add(detail(referrer, referrerManifest, types, registry, depth + 1)));
            }
        }
        return node;
    }

    private static JsonNode readTree(byte[] content) {
        try {
            return ListingJson.MAPPER.readTree(content);
        } catch (IOException e) {
            throw new IllegalStateException("a stored manifest is not JSON", e);
        }
    }
}
