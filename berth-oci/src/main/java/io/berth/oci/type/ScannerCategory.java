package io.berth.oci.type;

import java.util.Locale;
import java.util.Optional;

/** How a vulnerability or policy scanner should treat an artifact of a type. Written lower-case in type files. */
public enum ScannerCategory {
    /** Container filesystem layers: scan packages (an index: scan each platform). */
    IMAGE,
    /** A software bill of materials: scan the components it lists. */
    SBOM,
    /** A signature over another manifest: verify, nothing to scan. */
    SIGNATURE,
    /** An attestation (provenance, VEX, in-toto statement) about another manifest: verify and read. */
    ATTESTATION,
    /** A Helm chart: scan templates for misconfiguration and the images it references. */
    CHART,
    /** Infrastructure or deployment code (templates, modules, bundles): misconfiguration scanning. */
    IAC,
    /** Policies and rules consumed by a policy engine. */
    POLICY,
    /** AI/ML model weights and their metadata: model scanners. */
    MODEL,
    /** Nothing a scanner should open. */
    NONE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ScannerCategory> fromId(String id) {
        for (ScannerCategory c : values()) {
            if (c.id().equals(id)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
