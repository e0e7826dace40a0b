package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.Optional;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: the descriptor without the body. A registry that sends no
 * {@code Docker-Content-Digest} or {@code Content-Type} is asked with GET instead.
 */
final class ManifestChecker {
    private final Transport transport;
    private final ManifestPuller puller;

    ManifestChecker(Transport transport, ManifestPuller puller) {
        this.transport = transport;
        this.puller = puller;
    }

    Optional<Descriptor> check(Repository repository, Reference reference) {
        Call call = Call.of("HEAD", transport.uri(Endpoint.MANIFEST, new Object[] {repository, reference}), Scope.pull(repository))
                .header("Accept", ManifestAccept.VALUE);
        try (Response response = transport.send(call)) {
            if (response.status() == 404) {
                return Optional.empty();
            }
            if (response.status() != 200) {
                throw new RegistryClientException(ErrorEnvelope.fromStatus(response.status()), response.status(),
                        "HEAD answered " + response.status() + " (" + call + ")");
            }
            Optional<String> digest = response.header("Docker-Content-Digest");
            String mediaType = MediaTypes.essence(response.header("Content-Type").orElse(""));
            Optional<Long> size = response.header("Content-Length").map(Long::parseLong);
            if (digest.isPresent() && MediaTypes.MANIFESTS.contains(mediaType) && size.isPresent()) {
                Digest parsed = Digest.parse(digest.get());
                if (!(reference instanceof Reference.ByDigest d) || d.digest().equals(parsed)) {
                    return Optional.of(Descriptor.of(mediaType, parsed, size.get()));
                }
            }
        }
        return puller.pull(repository, reference).map(FetchedManifest::plainDescriptor);
    }
}
