package io.berth.client.artifact;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.Optional;

/**
 * Where an artifact lives: {@code registry/repository[:tag|@digest]}, e.g.
 * {@code localhost:5000/samples/helm/hello-world:1.0}. The first path segment is the registry when it contains a
 * {@code .} or a {@code :} or is {@code localhost}; otherwise the registry is {@code docker.io} (and a single-segment
 * repository gets {@code library/}), as docker reads references.
 */
public record ArtifactRef(String registry, Repository repository, Optional<Reference> reference) {
    public static final String DOCKER_HUB = "docker.io";
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    public ArtifactRef {
        if (registry == null || !HOST.matcher(registry).matches()) {
            throw io.berth.oci.ErrorCode.NAME_INVALID.exception("invalid registry host: " + registry);
        }
    }

    /** Parses a reference; {@link io.berth.oci.RegistryException} ({@code NAME_INVALID}, {@code TAG_INVALID}, {@code DIGEST_INVALID}) when malformed. */
    public static ArtifactRef parse(String text) {
        String rest = text;
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        Optional<Reference> reference = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            reference = Optional.of(Reference.parse(rest.substring(at + 1)));
            rest = rest.substring(0, at);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0 && rest.indexOf('/', colon) < 0) {
                reference = Optional.of(new Reference.Tag(rest.substring(colon + 1)));
                rest = rest.substring(0, colon);
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        return new ArtifactRef(registry, Repository.of(rest), reference);
    }

    /** The same repository at another tag or digest. */
    public ArtifactRef with(Reference other) {
        return new ArtifactRef(registry, repository, Optional.of(other));
    }

    /** The reference, or {@link io.berth.oci.RegistryException} {@code TAG_INVALID} telling the user to add one. */
    public Reference requireReference() {
        return reference.orElseThrow(() -> io.berth.oci.ErrorCode.TAG_INVALID.exception(
                "\"" + this + "\" names no tag or digest; add :TAG or @sha256:…"));
    }

    @Override
    public String toString() {
        return registry + "/" + repository + reference.map(r -> (r instanceof Reference.Tag ? ":" : "@") + r).orElse("");
    }
}
