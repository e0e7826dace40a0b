package io.berth.client.auth;

import java.util.Optional;

/** Where the client finds credentials for a registry host ({@code host[:port]}). */
@FunctionalInterface
public interface CredentialSource {
    Optional<Credentials> find(String registry);

    /** Anonymous access everywhere. */
    static CredentialSource anonymous() {
        return registry -> Optional.empty();
    }

    /** {@code credentials} for {@code registry}, anonymous elsewhere. */
    static CredentialSource of(String registry, Credentials credentials) {
        return host -> host.equals(registry) ? Optional.of(credentials) : Optional.empty();
    }

    /** This source, else {@code fallback}. */
    default CredentialSource or(CredentialSource fallback) {
        return host -> find(host).or(() -> fallback.find(host));
    }
}
