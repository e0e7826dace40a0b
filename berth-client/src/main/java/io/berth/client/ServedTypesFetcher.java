package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.type.ServedCatalog;
import io.berth.oci.type.TypeCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * {@code GET /api/v1/types}: a Berth server's own type catalog. Any other answer (another registry's 404, a login
 * page, an unreachable host) is "no catalog", and the caller types with the built-in one.
 */
final class ServedTypesFetcher {
    /** Far above a real catalog (the built-ins serve about 60 KiB): what a stray answer may cost at most. */
    private static final int MAX_BYTES = 4 << 20;

    private final Transport transport;

    ServedTypesFetcher(Transport transport) {
        this.transport = transport;
    }

    Optional<TypeCatalog> fetch() {
        Call call = Call.of("GET", transport.uri(ServedCatalog.PATH), Scope.NONE).header("Accept", "application/json");
        try (Response response = transport.send(call)) {
            if (response.status() != 200 || !response.header("Content-Type").orElse("").startsWith("application/json")) {
                return Optional.empty();
            }
            byte[] body = response.body().readNBytes(MAX_BYTES + 1);
            return body.length > MAX_BYTES ? Optional.empty() : ServedCatalog.read(body);
        } catch (RegistryClientException | IOException | UncheckedIOException notABerthCatalog) {
            return Optional.empty();
        }
    }
}
