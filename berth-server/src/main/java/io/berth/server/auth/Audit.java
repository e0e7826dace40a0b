package io.berth.server.auth;

import io.berth.server.log.LogText;
import io.berth.oci.Endpoint;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail, on the logger {@code berth.audit}: every refused request and every push and delete, with the
 * user, the client address and the repository. Passwords, tokens and hashes are never written; every value is
 * escaped ({@link LogText}), as user names, addresses and details may come from the client.
 */
public final class Audit {
    private static final Logger LOG = LoggerFactory.getLogger("berth.audit");

    private Audit() {
    }

    static void refused(String requestId, Subject subject, String client, List<Scope> scopes, Decision.Challenge challenge) {
        log("request {}: denied {} from {}: {} ({} {})", requestId, subject.display(), client,
                scopes.isEmpty() ? "/v2/" : scopes.stream().map(Scope::toString).collect(Collectors.joining(" ")),
                challenge.code().status(), challenge.detail());
    }

    static void tokenRefused(String who, String client, String why) {
        log("token refused for {} from {}: {}", who, client, why);
    }

    /** Every token of {@code subject} issued until now was revoked, at the request of {@code by}. */
    static void signedOut(String subject, String by) {
        log("tokens of {} revoked (asked from {})", subject, by);
    }

    /**
     * Records a completed push (a manifest or a finished blob upload or mount) or delete. Nothing is recorded for
     * reads, for upload steps that are not the last, or when authorization is off ({@link Decision.Grant#OPEN}).
     */
    public static void completed(Supplier<String> requestId, Decision.Grant grant, String client, Endpoint.Match match,
                                 Endpoint.Method method, int status, String digest) {
        if (grant == Decision.Grant.OPEN || status >= 300) {
            return;
        }
        Endpoint endpoint = match.endpoint();
        String what;
        if (method == Endpoint.Method.DELETE && (endpoint == Endpoint.MANIFEST || endpoint == Endpoint.BLOB)) {
            what = "delete";
        } else if (endpoint == Endpoint.MANIFEST && method == Endpoint.Method.PUT) {
            what = "push manifest";
        } else if ((endpoint == Endpoint.UPLOAD && method == Endpoint.Method.PUT)
                || (endpoint == Endpoint.UPLOADS && status == 201)) {
            what = "push blob";
        } else {
            return;
        }
        String target = endpoint == Endpoint.MANIFEST ? match.variable("reference")
                : endpoint == Endpoint.BLOB ? match.variable("digest") : digest;
        log("request {}: {} {} {} by {} from {}", requestId.get(), what, match.variable("name"), target,
                grant.subject().display(), client);
    }

    /** Every audit line goes through here: each value escaped ({@link LogText}), so that no value can forge a line. */
    private static void log(String format, Object... values) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Object[] escaped = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            escaped[i] = LogText.escaped(values[i]);
        }
        LOG.info(format, escaped);
    }
}
