package io.berth.oci.type;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Layers type files into one catalog. A type with an existing id replaces it (with its rules); a seed entry
 * ({@link SeedFormat}) whose media type a type already claims with a one-condition {@code artifactType} or
 * {@code config.mediaType} rule extends that type instead. Rules are ranked for detection by
 * {@link #DETECTION_ORDER}.
 */
final class CatalogBuilder {
    /** A rule with where it came from: the file's position in the load order and the rule's position overall. */
    record Ranked(Rule rule, String typeId, int file, int seq) {
    }

    /**
     * Detection order: by tier (artifactType, config, layers and annotations, manifest media type and children); in a
     * tier, rules with more conditions first (more specific), then rules from later files, then file order.
     */
    static final Comparator<Ranked> DETECTION_ORDER = Comparator
            .comparing((Ranked r) -> r.rule().tier())
            .thenComparing(r -> -r.rule().all().size())
            .thenComparing(r -> -r.file())
            .thenComparing(Ranked::seq);

    private final Map<String, ArtifactType> types = new LinkedHashMap<>();
    private final List<Ranked> rules = new ArrayList<>();
    private int file = -1;
    private int seq;

    void startFile() {
        file++;
    }

    void put(ArtifactType type) {
        rules.removeIf(r -> r.typeId().equals(type.id()));
        types.put(type.id(), type);
        rank(type.id(), type.rules());
    }

    /** Adds a seed entry as a new type, or extends the type that already claims its media type. */
    void seed(SeedFormat.SeedEntry entry, String sourceLabel) {
        String mediaType = entry.mediaType();
        Rule byArtifactType = Rule.of(new Match.ArtifactTypeIs(List.of(mediaType)));
        Rule byConfig = Rule.of(new Match.ConfigMediaTypeIs(List.of(mediaType)));
        Optional<ArtifactType> owner = owner(mediaType);
        if (owner.isEmpty()) {
            put(new ArtifactType(SeedFormat.idFor(mediaType), entry.title(), entry.description().orElse(""),
                    entry.icon().orElse(Icons.generic()), List.of(byArtifactType, byConfig), List.of(),
                    ScannerCategory.NONE, entry.moreInfo(), entry.links(), sourceLabel));
            return;
        }
        ArtifactType base = owner.get();
        List<Rule> added = new ArrayList<>();
        if (!claims(base, mediaType, Match.ArtifactTypeIs.class)) {
            added.add(byArtifactType);
        }
        if (!claims(base, mediaType, Match.ConfigMediaTypeIs.class)) {
            added.add(byConfig);
        }
        List<Rule> allRules = new ArrayList<>(base.rules());
        allRules.addAll(added);
        Icon icon = entry.icon().map(i -> i.href().isPresent() ? new Icon(base.icon().svg(), i.href()) : i)
                .orElse(base.icon());
        types.put(base.id(), new ArtifactType(base.id(), entry.title(), entry.description().orElse(base.description()),
                icon, allRules, base.actions(), base.scanner(), entry.moreInfo().or(base::moreInfo),
                entry.links().isEmpty() ? base.links() : entry.links(), sourceLabel));
        rank(base.id(), added);
    }

    TypeCatalog build(String fingerprint) {
        return new TypeCatalog(types, rules.stream().sorted(DETECTION_ORDER).toList(), fingerprint);
    }

    /** The first type in detection order with a one-condition artifactType or config rule naming {@code mediaType}. */
    private Optional<ArtifactType> owner(String mediaType) {
        return rules.stream().sorted(DETECTION_ORDER)
                .filter(r -> r.rule().all().size() == 1 && names(r.rule().all().get(0), mediaType))
                .map(r -> types.get(r.typeId()))
                .findFirst();
    }

    private static boolean claims(ArtifactType type, String mediaType, Class<? extends Match> kind) {
        return type.rules().stream().anyMatch(r -> r.all().size() == 1 && kind.isInstance(r.all().get(0))
                && names(r.all().get(0), mediaType));
    }

    private static boolean names(Match match, String mediaType) {
        return match instanceof Match.ArtifactTypeIs a && a.mediaTypes().contains(mediaType)
                || match instanceof Match.ConfigMediaTypeIs c && c.mediaTypes().contains(mediaType);
    }

    private void rank(String typeId, List<Rule> added) {
        for (Rule rule : added) {
            rules.add(new Ranked(rule, typeId, file, seq++));
        }
    }
}
