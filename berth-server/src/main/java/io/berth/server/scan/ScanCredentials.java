package io.berth.server.scan;

import io.berth.oci.Repository;

/**
 * What a scanner is given to pull an artifact from Berth: the {@code registry.authorization} of its scan request. With
 * authorization on, Berth issues a short-lived pull token scoped to the artifact's repository (see
 * {@code BerthServer}); without it, the scanner's configured value.
 */
@FunctionalInterface
public interface ScanCredentials {
    /** The value of the {@code Authorization} header the scanner sends to Berth; {@code ""} for none. */
    String authorization(ScannerConfig scanner, Repository repository);

    /** The scanner's configured {@code authorization} (e.g. {@code Basic …}), else {@code ""}: for a registry without authorization. */
    ScanCredentials CONFIGURED = (scanner, repository) -> scanner.authorization().orElse("");
}
