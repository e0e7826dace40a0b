package io.berth.oci.type;

import io.berth.oci.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The artifact types Berth knows and the deterministic detector over them. Immutable; build one with
 * {@link #builtIn()} or {@link #load(List)} and swap the whole catalog to reload.
 *
 * <p>Detection reads the manifest only, never blobs. Rules are tried tier by tier, and the first rule whose
 * conditions all hold decides: a rule on {@code artifactType} beats one on {@code config.mediaType}, which beats one on
 * layer media types and annotations, which beats one on the manifest's media type or an index's children. In a tier,
 * a rule with more conditions is tried first, then a rule from a later file, then rules in file order. An index is
 * typed from its own fields and its children's descriptors (media type, platform, annotations); child manifests are
 * never fetched. No match is the {@code unknown} type, never an exception.
 */
public final class TypeCatalog {
    static final String BUILT_IN_FILE = "builtin-types.json";
    /**
     * Part of every {@link #fingerprint}: raise it when a change of the detection code (rather than of a type file)
     * types a stored manifest differently, so that registries re-type what they hold once after the upgrade.
     */
    static final int DETECTION_VERSION = 1;

    private final Map<String, ArtifactType> types;
    private final List<String> order;
    private final List<CatalogBuilder.Ranked> rules;
    private final String fingerprint;

    /** The catalog with the problems met while loading it. */
    public record Loaded(TypeCatalog catalog, List<CatalogProblem> problems) {
        public Loaded {
            problems = List.copyOf(problems);
        }
    }

    TypeCatalog(Map<String, ArtifactType> types, List<CatalogBuilder.Ranked> rules, String fingerprint) {
        if (!types.containsKey(ArtifactType.UNKNOWN)) {
            throw new IllegalStateException("the catalog has no \"unknown\" type");
        }
        this.types = Map.copyOf(types);
        this.order = List.copyOf(types.keySet());
        this.rules = List.copyOf(rules);
        this.fingerprint = fingerprint;
    }

    /** The built-in types alone. */
    public static TypeCatalog builtIn() {
        return BuiltIn.CATALOG;
    }

    /** The built-in types, then {@code files} in order; problems are returned, never thrown. */
    public static Loaded load(List<Path> files) {
        List<TypeSource> sources = new ArrayList<>();
        List<CatalogProblem> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                Path dir = file.toAbsolutePath().getParent();
                sources.add(new TypeSource(file.toString(), Files.readAllBytes(file), relative -> read(dir.resolve(relative))));
            } catch (IOException | RuntimeException e) {
                problems.add(new CatalogProblem(file.toString(), 0, 0, "cannot read the file: " + e));
            }
        }
        Loaded loaded = loadSources(sources);
        problems.addAll(loaded.problems());
        return new Loaded(loaded.catalog(), problems);
    }

    /** The built-in types, then {@code sources} in order. */
    public static Loaded loadSources(List<TypeSource> sources) {
        CatalogBuilder builder = new CatalogBuilder();
        TypeSource builtIn = BuiltIn.source();
        List<CatalogProblem> problems = new ArrayList<>(TypeFiles.apply(builtIn, ArtifactType.BUILT_IN, builder));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("built-in types are broken: " + problems);
        }
        MessageDigest fingerprint = sha256();
        fingerprint.update(("detection " + DETECTION_VERSION).getBytes(StandardCharsets.UTF_8));
        for (TypeSource source : concat(builtIn, sources)) {
            if (source != builtIn) {
                problems.addAll(TypeFiles.apply(source, source.name(), builder));
            }
            fingerprint.update(("\n" + source.name() + "\n" + source.bytes().length + "\n").getBytes(StandardCharsets.UTF_8));
            fingerprint.update(source.bytes());
        }
        return new Loaded(builder.build(HexFormat.of().formatHex(fingerprint.digest())), problems);
    }

    /**
     * A digest of what the catalog was loaded from: the detection code's version, then the name and bytes of the
     * built-in and each added type file. Two catalogs with the same fingerprint type every manifest alike. Empty for a
     * catalog read from a registry's listing API.
     */
    public String fingerprint() {
        return fingerprint;
    }

    private static List<TypeSource> concat(TypeSource first, List<TypeSource> rest) {
        List<TypeSource> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public Detected detect(Manifest manifest) {
        List<String> platforms = Platforms.of(manifest);
        List<String> mediaTypes = mediaTypes(manifest);
        for (CatalogBuilder.Ranked ranked : rules) {
            if (ranked.rule().test(manifest)) {
                return new Detected(types.get(ranked.typeId()), Optional.of(ranked.rule()), platforms, mediaTypes);
            }
        }
        return new Detected(unknown(), Optional.empty(), platforms, mediaTypes);
    }

    /** Every type, built-ins first in file order, then added types in load order. */
    public List<ArtifactType> types() {
        return order.stream().map(types::get).toList();
    }

    public Optional<ArtifactType> type(String id) {
        return Optional.ofNullable(types.get(id));
    }

    public ArtifactType unknown() {
        return types.get(ArtifactType.UNKNOWN);
    }

    /** The rules in the order {@link #detect} tries them, with the id of the type each one detects. */
    List<CatalogBuilder.Ranked> rules() {
        return rules;
    }

    private static List<String> mediaTypes(Manifest m) {
        Set<String> result = new LinkedHashSet<>();
        m.artifactType().ifPresent(result::add);
        m.config().ifPresent(c -> result.add(c.mediaType()));
        m.layers().forEach(l -> result.add(l.mediaType()));
        result.add(m.mediaType());
        return List.copyOf(result);
    }

    private static Optional<byte[]> read(Path path) {
        try {
            return Files.isRegularFile(path) ? Optional.of(Files.readAllBytes(path)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The built-in catalog, loaded from resources on first use. */
    private static final class BuiltIn {
        static final TypeCatalog CATALOG = loadSources(List.of()).catalog();

        static TypeSource source() {
            byte[] file = resource(BUILT_IN_FILE).orElseThrow(() -> new IllegalStateException("missing " + BUILT_IN_FILE));
            return new TypeSource(BUILT_IN_FILE, file, BuiltIn::resource);
        }

        private static Optional<byte[]> resource(String name) {
            try (InputStream in = TypeCatalog.class.getResourceAsStream(name)) {
                return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
