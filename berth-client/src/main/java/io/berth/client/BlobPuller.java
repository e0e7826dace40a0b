package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Endpoint;
import io.berth.oci.Repository;
import java.io.InputStream;
import java.util.Optional;

/** {@code GET /v2/<name>/blobs/<digest>}: the content as a stream that verifies size and digest as it is read. */
final class BlobPuller {
    private final Transport transport;

    BlobPuller(Transport transport) {
        this.transport = transport;
    }

    Optional<InputStream> open(Repository repository, Descriptor blob) {
        Call call = Call.of("GET", transport.uri(Endpoint.BLOB, new Object[] {repository, blob.digest()}), Scope.pull(repository));
        Response response = transport.send(call);
        if (response.status() == 404) {
            response.bytes();
            return Optional.empty();
        }
        if (response.status() != 200) {
            throw response.error();
        }
        return Optional.of(new VerifyingInputStream(response.body(), blob.digest(), blob.size()));
    }
}
