package io.berth.oci.type;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Manifest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an {@link ActionTemplate} is rendered for: where the manifest lives, the tag it was reached by (if any), its
 * digest and the digest of the manifest it refers to (its {@code subject}, or the digest encoded in a cosign tag such
 * as {@code sha256-<hex>.sig}). Every value is validated, so rendered commands need no shell quoting.
 *
 * @param registry {@code host[:port]} as clients address the registry
 */
public record Target(String registry, Repository repository, Optional<Reference.Tag> tag, Digest digest,
                     Optional<Digest> subject) {
    private static final Pattern REGISTRY = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern COSIGN_TAG = Pattern.compile("(sha256|sha512)-([a-f0-9]+)\\.(?:sig|att|sbom)");

    public Target {
        if (registry == null || !REGISTRY.matcher(registry).matches()) {
            throw new IllegalArgumentException("invalid registry host: " + registry);
        }
    }

    /**
     * A target reached by {@code tag} ({@code null} when addressed by digest only); a cosign tag-scheme tag
     * ({@code sha256-<hex>.sig|.att|.sbom}) also names the subject.
     */
    public static Target of(String registry, Repository repository, String tag, Digest digest) {
        Optional<Reference.Tag> t = Optional.ofNullable(tag).map(Reference.Tag::new);
        return new Target(registry, repository, t, digest, t.flatMap(Target::cosignSubject));
    }

    /** Like {@link #of} and, when the manifest has a {@code subject}, that subject. */
    public static Target of(String registry, Repository repository, String tag, Digest digest, Manifest manifest) {
        Target target = of(registry, repository, tag, digest);
        return manifest.subject().map(Descriptor::digest)
                .map(s -> new Target(registry, repository, target.tag, digest, Optional.of(s)))
                .orElse(target);
    }

    /** The last path segment of the repository: {@code wordpress} for {@code samples/helm/wordpress}. */
    public String name() {
        String name = repository.name();
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static Optional<Digest> cosignSubject(Reference.Tag tag) {
        String name = tag.name();
        if (!name.endsWith(".sig") && !name.endsWith(".att") && !name.endsWith(".sbom")) {
            return Optional.empty(); // nearly every tag: no matcher needed
        }
        Matcher m = COSIGN_TAG.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(m.group(1) + ":" + m.group(2)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
