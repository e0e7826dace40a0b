package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.Repository;

/** {@code DELETE /v2/<name>/blobs/<digest>}: true when deleted, false when it was not there. */
final class BlobDeleter {
    private final Transport transport;

    BlobDeleter(Transport transport) {
        this.transport = transport;
    }

    boolean delete(Repository repository, Digest digest) {
        Call call = Call.of("DELETE", transport.uri(Endpoint.BLOB, new Object[] {repository, digest}), Scope.delete(repository));
        try (Response response = transport.send(call)) {
            if (response.status() == 404) {
                response.bytes();
                return false;
            }
            if (response.status() != 202 && response.status() != 200 && response.status() != 204) {
                throw response.error();
            }
            return true;
        }
    }
}
