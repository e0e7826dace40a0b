package io.berth.server.auth;

import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Authorization by configuration: basic credentials of htpasswd users and robots, and bearer tokens of Berth's token
 * service or a trusted issuer, against the access policies.
 *
 * <ul>
 *   <li>No credentials: what anonymous callers may do, else 401 with a {@code Bearer} challenge naming the scopes;
 *       {@code /v2/} always asks anonymous callers to authenticate.</li>
 *   <li>Basic credentials: wrong ones are 401 (and count towards the {@link LoginThrottle}, 429 while locked); right ones
 *       without the rights are 403 {@code DENIED}.</li>
 *   <li>Bearer token: an invalid one is 401 {@code error="invalid_token"}, as is one of Berth's for an account that
 *       no longer exists or that signed out after it was issued; one that lacks the scope is 401
 *       {@code error="insufficient_scope"} so the client fetches a new token, unless the policies would not grant
 *       its Berth account the scope either, which is 403 {@code DENIED}.</li>
 * </ul>
 *
 * Bcrypt and signature checks run on the worker pool.
 */
public final class PolicyAccess implements AccessController {
    private final Logins logins;
    private final Policies policies;
    private final TokenVerifier verifier;
    private final AuthConfig.Token token;
    private final WorkerExecutor workers;

    PolicyAccess(Logins logins, Policies policies, TokenVerifier verifier, AuthConfig.Token token, WorkerExecutor workers) {
        this.logins = logins;
        this.policies = policies;
        this.verifier = verifier;
        this.token = token;
        this.workers = workers;
    }

    @Override
    public Future<Decision> authorize(AccessRequest request) {
        return workers.executeBlocking(() -> decide(request), false);
    }

    Decision decide(AccessRequest request) {
        Credentials credentials = Credentials.parse(request.authorization());
        if (credentials instanceof Credentials.Basic basic) {
            return basic(request, basic);
        }
        if (credentials instanceof Credentials.Bearer bearer) {
            return bearer(request, bearer);
        }
        if (credentials instanceof Credentials.Malformed) {
            return refuse(request, Subject.ANONYMOUS, challenge(request, "invalid_request", "malformed Authorization header"));
        }
        Subject anonymous = Subject.ANONYMOUS;
        if (!request.scopes().isEmpty() && permitted(anonymous, request.scopes())) {
            return new Decision.Grant(anonymous, policies.readable(anonymous));
        }
        return refuse(request, anonymous, challenge(request, null, "authentication required"));
    }

    private Decision basic(AccessRequest request, Credentials.Basic basic) {
        Logins.Outcome login = logins.login(basic.user(), basic.password(), request.client());
        if (login.lockedFor().isPresent()) {
            return refuse(request, Subject.ANONYMOUS, tooMany(login.lockedFor().get()));
        }
        if (login.subject().isEmpty()) {
            return refuse(request, Subject.ANONYMOUS, challenge(request, null, "invalid credentials"));
        }
        Subject subject = login.subject().get();
        if (!permitted(subject, request.scopes())) {
            return refuse(request, subject, denied());
        }
        return new Decision.Grant(subject, policies.readable(subject));
    }

    private Decision bearer(AccessRequest request, Credentials.Bearer bearer) {
        TokenVerifier.Verified verified;
        try {
            verified = verifier.access(bearer.token());
        } catch (TokenVerifier.InvalidToken e) {
            return refuse(request, Subject.ANONYMOUS, challenge(request, "invalid_token", "invalid token: " + e.getMessage()));
        }
        boolean ofAccount = verified.own() && !verified.holder() && !verified.subject().isEmpty();
        Optional<Subject> account = ofAccount ? logins.known(verified.subject()) : Optional.empty();
        if (ofAccount && account.isEmpty()) {
            return refuse(request, Subject.ANONYMOUS, challenge(request, "invalid_token", "invalid token: the account is gone"));
        }
        Subject subject = account.orElseGet(() -> verified.subject().isEmpty() ? Subject.ANONYMOUS
                : new Subject(verified.subject(), Subject.Kind.EXTERNAL, Set.of()));
        if (covered(verified.access(), request.scopes())) {
            return new Decision.Grant(subject, readable(verified, account));
        }
        if (account.isPresent() && !permitted(account.get(), request.scopes())) {
            return refuse(request, subject, denied());
        }
        return refuse(request, subject, challenge(request, "insufficient_scope", "the token does not grant this access"));
    }

    /** What a token holder may list and mount from: its pull grants, and with the catalog scope its account's reads. */
    private Predicate<Repository> readable(TokenVerifier.Verified verified, Optional<Subject> account) {
        Set<String> pulls = verified.access().stream()
                .filter(s -> s.isRepository() && s.actions().contains(Action.PULL))
                .map(Scope::name).collect(Collectors.toSet());
        Predicate<Repository> granted = repository -> pulls.contains(repository.name());
        if (account.isPresent() && verified.access().contains(Scope.CATALOG)) {
            return granted.or(policies.readable(account.get()));
        }
        return granted;
    }

    private boolean permitted(Subject subject, List<Scope> scopes) {
        for (Scope scope : scopes) {
            boolean ok = scope.isCatalog() ? policies.mayList(subject)
                    : scope.isAdmin() ? policies.isAdmin(subject)
                    : scope.isMetrics() ? policies.mayScrape(subject)
                    : policies.allowed(subject, scope.name()).containsAll(scope.actions());
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean covered(List<Scope> granted, List<Scope> needed) {
        for (Scope scope : needed) {
            boolean ok = scope.isRegistry() ? granted.contains(scope)
                    : granted.stream().anyMatch(g -> g.isRepository() && g.name().equals(scope.name())
                    && g.actions().containsAll(scope.actions()));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private Decision refuse(AccessRequest request, Subject subject, Decision.Challenge challenge) {
        Audit.refused(request.requestId().get(), subject, request.client(), request.scopes(), challenge);
        return challenge;
    }

    /** 401 with {@code Bearer realm=…,service=…,scope=…[,error=…]}. */
    private Decision.Challenge challenge(AccessRequest request, String error, String detail) {
        StringBuilder value = new StringBuilder("Bearer realm=\"").append(quoted(realm(token, request.origin().get())))
                .append("\",service=\"").append(quoted(token.service())).append('"');
        if (!request.scopes().isEmpty()) {
            value.append(",scope=\"").append(request.scopes().stream().map(Scope::toString)
                    .collect(Collectors.joining(" "))).append('"');
        }
        if (error != null) {
            value.append(",error=\"").append(error).append('"');
        }
        return new Decision.Challenge(ErrorCode.UNAUTHORIZED, Map.of("WWW-Authenticate", value.toString()), detail);
    }

    private static Decision.Challenge denied() {
        return new Decision.Challenge(ErrorCode.DENIED, Map.of(), "requested access to the resource is denied");
    }

    static Decision.Challenge tooMany(Duration lockedFor) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Retry-After", String.valueOf(Math.max(1, lockedFor.toSeconds())));
        return new Decision.Challenge(ErrorCode.TOOMANYREQUESTS, headers, "too many failed logins; try again later");
    }

    /** The token endpoint's URL: configured, or {@code /token} on the origin the client used. */
    static String realm(AuthConfig.Token token, String origin) {
        return token.realm().orElse(origin + "/token");
    }

    private static String quoted(String text) {
        return text.replace("\\", "").replace("\"", "");
    }
}
