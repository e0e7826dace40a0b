package io.berth.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The token endpoint of the Docker registry token specification, {@code /token}:
 * <ul>
 *   <li>{@code GET ?service=…&scope=…[&offline_token=true]} with basic credentials (a user, or a robot with its token
 *       as the password), with a refresh token as bearer or {@code refresh_token} parameter, or with nothing
 *       (an anonymous token);</li>
 *   <li>{@code POST} of the OAuth2 form: {@code grant_type=password} ({@code username}, {@code password},
 *       {@code access_type=offline} for a refresh token) or {@code grant_type=refresh_token}.</li>
 * </ul>
 * Each requested scope is narrowed to what the policies grant the subject (a reader asking for {@code pull,push} gets
 * {@code pull}); scopes that grant nothing are left out. The answer carries both {@code token} and
 * {@code access_token}, {@code expires_in}, {@code issued_at}, and a {@code refresh_token} when one was asked for.
 * A refresh token works while its account exists with the credential it was issued against
 * ({@link CredentialFingerprint}) and until its subject signs out ({@link #revoke}, {@link #revokeAll}). Never throws
 * on odd input: what cannot be understood is refused or left out.
 */
public final class TokenService {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A request to the endpoint.
     *
     * @param parameters the query (GET) or the form (POST), each name with its values
     */
    public record TokenRequest(Optional<String> authorization, String client, boolean post,
                               Map<String, List<String>> parameters) {
        public TokenRequest {
            authorization = authorization == null ? Optional.empty() : authorization;
            client = client == null ? "" : client;
            parameters = parameters == null ? Map.of() : parameters;
        }

        Optional<String> parameter(String name) {
            List<String> values = parameters.get(name);
            return values == null ? Optional.empty()
                    : values.stream().filter(v -> v != null && !v.isEmpty()).findFirst();
        }
    }

    /** The token response (200 with JSON), or a refusal with its status and headers. */
    public record TokenReply(byte[] json, Decision.Challenge refusal) {
        public boolean issued() {
            return refusal == null;
        }
    }

    private final Logins logins;
    private final Policies policies;
    private final TokenVerifier verifier;
    private final TokenIssuer issuer;
    private final AuthConfig.Token config;
    private final CredentialFingerprint fingerprints;
    private final SignOut signOut;

    TokenService(Logins logins, Policies policies, TokenVerifier verifier, TokenIssuer issuer, AuthConfig.Token config,
                 Revocations revocations) {
        this.logins = logins;
        this.policies = policies;
        this.verifier = verifier;
        this.issuer = issuer;
        this.config = config;
        this.fingerprints = new CredentialFingerprint(issuer.key());
        this.signOut = new SignOut(logins, verifier, revocations, config.service());
    }

    /**
     * Signs the caller out, for a revocation endpoint ({@code POST /token/revoke}, form {@code token=…}, RFC 7009):
     * every token of the subject of the {@code token} parameter, or else of the caller the {@code Authorization}
     * header authenticates, issued until now is refused from now on, access and refresh tokens alike. 200 with
     * {@code {}} (also for an invalid {@code token} parameter, as RFC 7009 says), or 401/429 for the header's
     * credentials. Blocking (bcrypt, a file write). See {@link SignOut}.
     */
    public TokenReply revoke(TokenRequest request) {
        return signOut.revoke(request);
    }

    /**
     * For administrators: refuses every token issued until now to the account {@code subject} (a user name,
     * {@code robot$<name>}, or a holder such as {@code scanner/<name>}), whether or not it exists. Blocking (a file
     * write); returns the instant from which its tokens are valid again. Whoever calls it must have checked that the
     * caller is an administrator.
     */
    public Instant revokeAll(String subject, String requestedBy) {
        return signOut.revokeAll(subject, requestedBy);
    }

    /**
     * A short-lived token that lets {@code holder} pull from {@code repository} and nothing else: what Berth hands a
     * scanner so that it can fetch the artifact it was asked to scan.
     */
    public String pullToken(String holder, Repository repository) {
        Subject subject = new Subject(holder, Subject.Kind.EXTERNAL, java.util.Set.of());
        return issuer.access(subject, List.of(Scope.repository(repository, java.util.EnumSet.of(Action.PULL)))).token();
    }

    /** The public key(s) tokens are signed with, as a JWK set. */
    public String publicKeys() {
        return TokenKeys.publicSet(issuer.key()).toString();
    }

    /** Answers a token request; blocking (bcrypt). */
    public TokenReply issue(TokenRequest request) {
        Optional<String> grantType = request.post() ? request.parameter("grant_type") : Optional.empty();
        Credentials credentials = Credentials.parse(request.authorization());
        Subject subject;
        boolean offline;
        if (grantType.isPresent() && grantType.get().equals("password")) {
            credentials = new Credentials.Basic(request.parameter("username").orElse(""),
                    request.parameter("password").orElse(""));
        } else if (grantType.isPresent() && grantType.get().equals("refresh_token")) {
            credentials = new Credentials.Bearer(request.parameter("refresh_token").orElse(""));
        } else if (grantType.isPresent()) {
            return refused(request, "?", ErrorCode.UNAUTHORIZED, "unsupported grant_type " + grantType.get());
        } else if (credentials instanceof Credentials.None && request.parameter("refresh_token").isPresent()) {
            credentials = new Credentials.Bearer(request.parameter("refresh_token").get());
        }
        if (credentials instanceof Credentials.Basic basic) {
            Logins.Outcome login = logins.login(basic.user(), basic.password(), request.client());
            if (login.lockedFor().isPresent()) {
                Audit.tokenRefused(basic.user(), request.client(), "locked out");
                return new TokenReply(null, PolicyAccess.tooMany(login.lockedFor().get()));
            }
            if (login.subject().isEmpty()) {
                return refused(request, basic.user(), ErrorCode.UNAUTHORIZED, "invalid credentials");
            }
            subject = login.subject().get();
            offline = request.parameter(request.post() ? "access_type" : "offline_token")
                    .map(v -> v.equals("offline") || v.equals("true")).orElse(false);
        } else if (credentials instanceof Credentials.Bearer bearer) {
            TokenVerifier.Refresh refresh;
            try {
                refresh = verifier.refresh(bearer.token());
            } catch (TokenVerifier.InvalidToken e) {
                return refused(request, "?", ErrorCode.UNAUTHORIZED, "invalid refresh token: " + e.getMessage());
            }
            Optional<String> credential = logins.accounts().credential(refresh.subject());
            Optional<Subject> account = credential.flatMap(c -> logins.known(refresh.subject()));
            if (account.isEmpty()) {
                return refused(request, refresh.subject(), ErrorCode.UNAUTHORIZED, "the account of the refresh token is gone");
            }
            if (!fingerprints.matches(refresh.credential(), credential.get())) {
                return refused(request, refresh.subject(), ErrorCode.UNAUTHORIZED,
                        "the account's password or token changed since the refresh token was issued");
            }
            subject = account.get();
            offline = false;
        } else if (credentials instanceof Credentials.None) {
            subject = Subject.ANONYMOUS;
            offline = false;
        } else {
            return refused(request, "?", ErrorCode.UNAUTHORIZED, "malformed Authorization header");
        }
        return new TokenReply(response(subject, granted(subject, Scope.parseAll(request.parameters().getOrDefault("scope", List.of()))),
                offline), null);
    }

    private List<Scope> granted(Subject subject, List<Scope> requested) {
        List<Scope> granted = new ArrayList<>();
        for (Scope scope : requested) {
            if (scope.isRegistry()) {
                boolean allowed = scope.isCatalog() ? policies.mayList(subject)
                        : scope.isMetrics() ? policies.mayScrape(subject) : policies.isAdmin(subject);
                if (allowed && !granted.contains(scope)) {
                    granted.add(scope);
                }
            } else {
                Scope narrowed = scope.narrowedTo(policies.allowed(subject, scope.name()));
                if (!narrowed.actions().isEmpty()) {
                    granted.add(narrowed);
                }
            }
        }
        return granted;
    }

    private byte[] response(Subject subject, List<Scope> granted, boolean offline) {
        TokenIssuer.Issued access = issuer.access(subject, granted);
        ObjectNode body = JSON.createObjectNode();
        body.put("token", access.token());
        body.put("access_token", access.token());
        body.put("expires_in", access.expiresIn());
        body.put("issued_at", access.issuedAt().toString());
        body.put("scope", granted.stream().map(Scope::toString).collect(Collectors.joining(" ")));
        if (offline) {
            logins.accounts().credential(subject.name())
                    .ifPresent(credential -> body.put("refresh_token", issuer.refresh(subject, fingerprints.of(credential))));
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private TokenReply refused(TokenRequest request, String who, ErrorCode code, String detail) {
        Audit.tokenRefused(who, request.client(), detail);
        return new TokenReply(null, new Decision.Challenge(code,
                Map.of("WWW-Authenticate", "Basic realm=\"" + config.service().replace("\"", "") + "\""), detail));
    }
}
