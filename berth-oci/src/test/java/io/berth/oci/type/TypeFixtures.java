package io.berth.oci.type;

import io.berth.oci.Digest;
import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Test resources of this package: manifests under {@code /type/manifests}, the seed's files under {@code /seed}. */
final class TypeFixtures {
    static final String REGISTRY = "registry.example:5000";
    static final String REPOSITORY = "team/wordpress";
    /** The subject every referrer fixture points at. */
    static final String SUBJECT = "sha256:b31f42077298be91607bd273b25a75876877b8cbecb1278fc559cb593e5c0d50";
    /** The cosign tag-scheme prefix for {@link #SUBJECT}. */
    static final String SIG_TAG = SUBJECT.replace(':', '-');

    private TypeFixtures() {
    }

    static byte[] resource(String path) {
        try (InputStream in = TypeFixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String path) {
        return new String(resource(path), StandardCharsets.UTF_8);
    }

    static byte[] fixture(String name) {
        return resource("/type/manifests/" + name + ".json");
    }

    static Manifest manifest(byte[] bytes) {
        return ManifestParser.parse(bytes, null);
    }

    static Manifest fixtureManifest(String name) {
        return manifest(fixture(name));
    }

    static Digest digest(byte[] bytes) {
        return Digest.sha256(bytes);
    }

    /** Rows of a {@code |}-separated table; {@code -} is null. Quotes are ordinary characters. */
    static List<Object[]> table(String text) {
        return text.lines().filter(l -> !l.isBlank()).map(l -> Arrays.stream(l.split("\\|", -1)).map(String::strip)
                .map(c -> c.equals("-") ? null : c).toArray()).toList();
    }
}
