package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import java.util.Optional;

/**
 * {@code PUT /v2/<name>/manifests/<reference>}. When the manifest has a {@code subject} and the registry does not
 * answer {@code OCI-Subject} (it has no referrers API), the referrers tag of the subject is updated as the spec asks.
 */
final class ManifestPusher {
    private final Transport transport;
    private final ReferrersTag referrersTag;

    ManifestPusher(Transport transport, ReferrersTag referrersTag) {
        this.transport = transport;
        this.referrersTag = referrersTag;
    }

    Descriptor push(Repository repository, Reference reference, byte[] bytes, String mediaType) {
        Digest digest = reference instanceof Reference.ByDigest d ? d.digest().recompute(bytes) : Digest.sha256(bytes);
        Call call = Call.of("PUT", transport.uri(Endpoint.MANIFEST, new Object[] {repository, reference}), Scope.push(repository))
                .header("Content-Type", mediaType).body(bytes);
        boolean subjectHandled;
        try (Response response = transport.send(call)) {
            if (response.status() != 201 && response.status() != 200) {
                throw response.error();
            }
            response.bytes();
            subjectHandled = response.header("OCI-Subject").isPresent();
        }
        FetchedManifest pushed = new FetchedManifest(bytes, mediaType, digest);
        Optional<Manifest> parsed = parse(pushed);
        Descriptor descriptor = parsed.isPresent() ? pushed.descriptor() : pushed.plainDescriptor();
        Optional<Descriptor> subject = parsed.flatMap(Manifest::subject);
        if (subject.isPresent() && !subjectHandled) {
            referrersTag.add(repository, subject.get().digest(), descriptor);
        }
        return descriptor;
    }

    private static Optional<Manifest> parse(FetchedManifest manifest) {
        try {
            return Optional.of(manifest.parsed());
        } catch (RegistryException notAManifestWeKnow) {
            return Optional.empty();
        }
    }
}
