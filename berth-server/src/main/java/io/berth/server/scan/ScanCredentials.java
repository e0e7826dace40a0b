package io.berth.server.scan;

import io.berth.oci.Repository;

/**
 * What a scanner is given to pull an artifact from Berth: the {@code registry.authorization} of its scan request.
 * The seam for authentication (issue #7), which will hand out a short-lived pull token scoped to {@code repository}.
 */
@FunctionalInterface
public interface ScanCredentials {
    /** The value of the {@code Authorization} header the scanner sends to Berth; {@code ""} for none. */
    String authorization(ScannerConfig scanner, Repository repository);

    /** The scanner's configured {@code authorization} (e.g. {@code Basic …}), else {@code ""}: Berth does not authenticate pulls yet. */
    ScanCredentials CONFIGURED = (scanner, repository) -> scanner.authorization().orElse("");
}
