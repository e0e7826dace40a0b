package io.berth.server.testing;

import java.net.URI;
import java.nio.file.Path;

/**
 * A registry under test, listening on 127.0.0.1. Tests are written once against this and run against Berth; the
 * same tests run against Debian's CNCF Distribution 2.8.2 ({@code -Dberth.test.registry=distribution}) to check
 * that they test the spec rather than Berth's reading of it.
 */
public interface RegistryFixture extends AutoCloseable {
    /** {@code 127.0.0.1:port}, as clients such as skopeo want it. */
    String hostPort();

    default URI baseUri() {
        return URI.create("http://" + hostPort());
    }

    /** True for Berth; features beyond Distribution 2.8 (referrers API, delete switch …) are only tested there. */
    boolean isBerth();

    @Override
    void close();

    /** Starts the registry chosen by the system property {@code berth.test.registry} (default {@code berth}). */
    static RegistryFixture start(Path dataDir) {
        String which = System.getProperty("berth.test.registry", "berth");
        return switch (which) {
            case "distribution" -> DistributionFixture.start(dataDir);
            case "berth" -> BerthFixture.start(dataDir);
            default -> throw new IllegalArgumentException("unknown berth.test.registry: " + which);
        };
    }
}
