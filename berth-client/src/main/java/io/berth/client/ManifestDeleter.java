package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Endpoint;
import io.berth.oci.Reference;
import io.berth.oci.Repository;

/** {@code DELETE /v2/<name>/manifests/<reference>}: true when deleted, false when it was not there. */
final class ManifestDeleter {
    private final Transport transport;

    ManifestDeleter(Transport transport) {
        this.transport = transport;
    }

    boolean delete(Repository repository, Reference reference) {
        Call call = Call.of("DELETE", transport.uri(Endpoint.MANIFEST, new Object[] {repository, reference}), Scope.delete(repository));
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
