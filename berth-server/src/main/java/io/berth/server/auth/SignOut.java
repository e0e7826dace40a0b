package io.berth.server.auth;

import io.berth.oci.ErrorCode;
import io.berth.server.auth.TokenService.TokenReply;
import io.berth.server.auth.TokenService.TokenRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Token revocation ({@link TokenService#revoke}, {@link TokenService#revokeAll}): signing a subject out makes every
 * token of it issued until then, access and refresh, invalid ({@link Revocations}). Whose tokens:
 * <ul>
 *   <li>the subject of the {@code token} parameter (RFC 7009), a Berth access or refresh token: holding it is proof
 *       enough. An invalid or expired token is answered 200 all the same, as RFC 7009 says, and revokes nothing;</li>
 *   <li>else the caller the {@code Authorization} header authenticates: basic credentials (through the login throttle;
 *       wrong ones are 401, 429 while locked out) or a Berth token (an invalid one is 401).</li>
 * </ul>
 */
final class SignOut {
    private static final byte[] DONE = "{}".getBytes(StandardCharsets.UTF_8);

    private final Logins logins;
    private final TokenVerifier verifier;
    private final Revocations revocations;
    private final String service;

    SignOut(Logins logins, TokenVerifier verifier, Revocations revocations, String service) {
        this.logins = logins;
        this.verifier = verifier;
        this.revocations = revocations;
        this.service = service;
    }

    TokenReply revoke(TokenRequest request) {
        Optional<String> token = request.parameter("token");
        if (token.isPresent()) {
            ownSubject(token.get()).ifPresent(subject -> revokeAll(subject, request.client()));
            return new TokenReply(DONE, null);
        }
        Credentials credentials = Credentials.parse(request.authorization());
        if (credentials instanceof Credentials.Basic basic) {
            Logins.Outcome login = logins.login(basic.user(), basic.password(), request.client());
            if (login.lockedFor().isPresent()) {
                Audit.tokenRefused(basic.user(), request.client(), "sign-out: locked out");
                return new TokenReply(null, PolicyAccess.tooMany(login.lockedFor().get()));
            }
            if (login.subject().isEmpty()) {
                return refused(request, basic.user(), "sign-out: invalid credentials");
            }
            revokeAll(login.subject().get().name(), request.client());
            return new TokenReply(DONE, null);
        }
        if (credentials instanceof Credentials.Bearer bearer) {
            Optional<String> subject = ownSubject(bearer.token());
            if (subject.isEmpty()) {
                return refused(request, "?", "sign-out: invalid token");
            }
            revokeAll(subject.get(), request.client());
            return new TokenReply(DONE, null);
        }
        return refused(request, "?", "sign-out: no credentials");
    }

    /** Revokes every token of {@code subject} issued until now; {@code by} says who asked, for the audit log. */
    Instant revokeAll(String subject, String by) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("no subject to sign out");
        }
        Instant from = revocations.revoke(subject);
        Audit.signedOut(subject, by);
        return from;
    }

    /** The subject of one of Berth's own tokens, refresh or access, when it is valid and names one. */
    private Optional<String> ownSubject(String token) {
        try {
            return Optional.of(verifier.refresh(token).subject());
        } catch (TokenVerifier.InvalidToken e) {
            try {
                TokenVerifier.Verified access = verifier.access(token);
                return access.own() && !access.subject().isEmpty() ? Optional.of(access.subject()) : Optional.empty();
            } catch (TokenVerifier.InvalidToken again) {
                return Optional.empty();
            }
        }
    }

    private TokenReply refused(TokenRequest request, String who, String detail) {
        Audit.tokenRefused(who, request.client(), detail);
        return new TokenReply(null, new Decision.Challenge(ErrorCode.UNAUTHORIZED,
                Map.of("WWW-Authenticate", "Basic realm=\"" + service.replace("\"", "") + "\""), detail));
    }
}
