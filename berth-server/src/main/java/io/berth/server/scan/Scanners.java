package io.berth.server.scan;

import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured scanners and what their adapters declared. A scanner accepts a type when the configuration names
 * it (or, without {@code types}, when its scanner category is {@code image}) and — once the adapter's metadata is
 * known — the adapter consumes one of the type's {@link ScanTypes#mimeTypes MIME types}. A configured type the
 * adapter does not back is reported as a warning, in the log and in {@code GET /api/v1/scanners}, and not sent.
 */
final class Scanners {
    private static final Logger LOG = LoggerFactory.getLogger(Scanners.class);

    /** One configured scanner; its metadata arrives after start-up, from the worker. */
    static final class Scanner {
        final ScannerConfig config;
        volatile Optional<ScannerMetadata> metadata = Optional.empty();
        volatile Optional<String> metadataError = Optional.empty();
        volatile List<String> warnings = List.of();
        volatile Instant nextMetadataAttempt = Instant.EPOCH;
        int metadataFailures;

        Scanner(ScannerConfig config) {
            this.config = config;
        }

        String name() {
            return config.name();
        }

        /** The type ids configured, or the default ones. */
        List<String> types(TypeCatalog catalog) {
            return config.types().isEmpty() ? ScanTypes.defaultTypes(catalog) : config.types();
        }

        boolean accepts(ArtifactType type, TypeCatalog catalog) {
            if (!types(catalog).contains(type.id())) {
                return false;
            }
            return metadata.map(m -> backs(m, type)).orElse(true);
        }
    }

    private final List<Scanner> scanners;

    Scanners(List<ScannerConfig> configs) {
        List<Scanner> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (ScannerConfig config : configs) {
            if (names.contains(config.name())) {
                throw new IllegalArgumentException("two scanners are named " + config.name());
            }
            names.add(config.name());
            all.add(new Scanner(config));
        }
        this.scanners = List.copyOf(all);
    }

    List<Scanner> all() {
        return scanners;
    }

    boolean isEmpty() {
        return scanners.isEmpty();
    }

    Optional<Scanner> named(String name) {
        return scanners.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The names of the scanners that accept {@code type}, in configuration order. */
    List<String> accepting(ArtifactType type, TypeCatalog catalog) {
        return scanners.stream().filter(s -> s.accepts(type, catalog)).map(Scanner::name).toList();
    }

    /** Records what the adapter declared and warns about each configured type it does not back. */
    void metadataFetched(Scanner scanner, ScannerMetadata metadata, TypeCatalog catalog) {
        List<String> warnings = new ArrayList<>();
        if (metadata.reportType().isEmpty()) {
            warnings.add("the adapter produces none of the vulnerability report types Berth reads "
                    + ScannerMetadata.REPORT_TYPES + ": its scans will fail");
        }
        for (String typeId : scanner.config.types()) {
            Optional<ArtifactType> type = catalog.type(typeId);
            if (type.isEmpty()) {
                warnings.add("type " + typeId + " is not in the type catalog");
                continue;
            }
            Set<String> mimeTypes = ScanTypes.mimeTypes(type.get());
            if (!backs(metadata, type.get())) {
                warnings.add("type " + typeId + " is not backed by the adapter's capabilities: it consumes none of "
                        + mimeTypes + "; artifacts of this type are not sent to it");
            }
        }
        scanner.metadata = Optional.of(metadata);
        scanner.metadataError = Optional.empty();
        scanner.metadataFailures = 0;
        scanner.warnings = List.copyOf(warnings);
        LOG.info("scanner {}: {} {} {} at {}", scanner.name(), metadata.vendor(), metadata.name(), metadata.version(),
                scanner.config.displayUrl());
        warnings.forEach(warning -> LOG.warn("scanner {}: {}", scanner.name(), warning));
    }

    void metadataFailed(Scanner scanner, String error, Instant retryAt) {
        scanner.metadataFailures++;
        scanner.metadataError = Optional.of(error);
        scanner.nextMetadataAttempt = retryAt;
        LOG.warn("scanner {}: cannot read the adapter's metadata (attempt {}), retrying at {}: {}", scanner.name(),
                scanner.metadataFailures, retryAt, error);
    }

    /** Whether the adapter consumes one of the type's MIME types. */
    static boolean backs(ScannerMetadata metadata, ArtifactType type) {
        return ScanTypes.mimeTypes(type).stream().anyMatch(metadata::consumes);
    }

    /** The MIME type to send for an artifact of {@code type}: the first of its MIME types the adapter consumes. */
    static Optional<String> mimeType(ScannerMetadata metadata, ArtifactType type) {
        return ScanTypes.mimeTypes(type).stream().filter(metadata::consumes).findFirst();
    }
}
