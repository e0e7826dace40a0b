package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.Repository;
import java.util.Optional;

/** {@code HEAD /v2/<name>/blobs/<digest>}: the blob's size when it exists. */
final class BlobChecker {
    private final Transport transport;

    BlobChecker(Transport transport) {
        this.transport = transport;
    }

    Optional<Long> check(Repository repository, Digest digest) {
        Call call = Call.of("HEAD", transport.uri(Endpoint.BLOB, new Object[] {repository, digest}), Scope.pull(repository));
        try (Response response = transport.send(call)) {
            if (response.status() == 404) {
                return Optional.empty();
            }
            if (response.status() != 200) {
                throw new RegistryClientException(ErrorEnvelope.fromStatus(response.status()), response.status(),
                        "HEAD answered " + response.status() + " (" + call + ")");
            }
            return Optional.of(response.header("Content-Length").map(Long::parseLong).orElse(-1L));
        }
    }
}
