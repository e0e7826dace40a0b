package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.Repository;

/**
 * {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>}: true when the registry mounted the blob (201);
 * a registry that opened an upload instead (202) has it cancelled, and the caller uploads.
 */
final class BlobMounter {
    private final Transport transport;

    BlobMounter(Transport transport) {
        this.transport = transport;
    }

    boolean mount(Repository target, Repository source, Digest digest) {
        Call call = Call.of("POST", transport.uri(Endpoint.UPLOADS, new Object[] {target}, "mount", digest.toString(),
                "from", source.name()), Scope.push(target).and(Scope.pull(source)));
        try (Response response = transport.send(call)) {
            response.bytes();
            if (response.status() == 201) {
                return true;
            }
            if (response.status() == 202 && response.header("Location").isPresent()) {
                try (Response cancel = transport.send(Call.of("DELETE", response.location(), Scope.push(target)))) {
                    cancel.bytes();
                }
            }
            return false;
        }
    }
}
