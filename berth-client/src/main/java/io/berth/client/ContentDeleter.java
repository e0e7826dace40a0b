package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Endpoint;
import io.berth.oci.Repository;

/**
 * {@code DELETE /v2/<name>/manifests/<reference>} (end-9) and {@code DELETE /v2/<name>/blobs/<digest>} (end-10): true
 * when deleted, false when it was not there.
 */
final class ContentDeleter {
    private final Transport transport;

    ContentDeleter(Transport transport) {
        this.transport = transport;
    }

    /** @param target the manifest's reference or the blob's digest */
    boolean delete(Endpoint endpoint, Repository repository, Object target) {
        Call call = Call.of("DELETE", transport.uri(endpoint, new Object[] {repository, target}), Scope.delete(repository));
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
