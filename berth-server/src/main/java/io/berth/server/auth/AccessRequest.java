package io.berth.server.auth;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a request to the registry API needs, as the {@link AccessController} sees it.
 *
 * @param authorization the {@code Authorization} header, if any
 * @param client        the client's address (failed logins are counted per address)
 * @param origin        {@code scheme://host[:port]} as the client addressed the server, for the token realm (made
 *                      only for a challenge: most requests are granted)
 * @param scopes        the access the request needs; empty for the version check {@code /v2/}, which needs only
 *                      an identity
 * @param requestId     the request's id, which the audit log names (made when first asked for)
 */
public record AccessRequest(Optional<String> authorization, String client, Supplier<String> origin, List<Scope> scopes,
                            Supplier<String> requestId) {
    public AccessRequest {
        scopes = List.copyOf(scopes);
    }
}
