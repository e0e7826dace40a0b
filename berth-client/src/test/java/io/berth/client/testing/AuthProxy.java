package io.berth.client.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link TestProxy.Filter} that guards a registry the way Docker's token authentication does: a request without a
 * valid bearer token for its repository is answered 401 with {@code WWW-Authenticate: Bearer realm,service,scope};
 * {@code GET /token?service&scope} hands out tokens, for the configured user (basic credentials) or anonymously for
 * pulls when allowed. In basic mode it asks for HTTP basic credentials instead.
 */
public final class AuthProxy implements TestProxy.Filter {
    private static final Pattern REPOSITORY = Pattern.compile("^/v2/(.+?)/(manifests|blobs|tags|referrers)/.*");

    private final boolean bearer;
    private final String user;
    private final String password;
    private final boolean anonymousPull;
    private final Map<String, List<String>> tokens = new ConcurrentHashMap<>();
    private final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile String realm;

    /** What the token endpoint was asked. */
    public record TokenRequest(Optional<String> user, List<String> scopes) {
    }

    private AuthProxy(boolean bearer, String user, String password, boolean anonymousPull) {
        this.bearer = bearer;
        this.user = user;
        this.password = password;
        this.anonymousPull = anonymousPull;
    }

    public static AuthProxy bearer(String user, String password, boolean anonymousPull) {
        return new AuthProxy(true, user, password, anonymousPull);
    }

    public static AuthProxy basic(String user, String password) {
        return new AuthProxy(false, user, password, false);
    }

    /** Call once the proxy listens: the realm is on the proxy itself. */
    public AuthProxy realm(String proxyHost) {
        this.realm = "http://" + proxyHost + "/token";
        return this;
    }

    public List<TokenRequest> tokenRequests() {
        return tokenRequests;
    }

    /** Every token issued so far stops working, as if it had expired. */
    public void revokeAll() {
        tokens.clear();
    }

    @Override
    public TestProxy.Reply handle(TestProxy.Request request, TestProxy.Forwarder forward) throws java.io.IOException, InterruptedException {
        if (request.path().startsWith("/token")) {
            return token(request);
        }
        Optional<String> authorization = request.header("Authorization");
        if (!bearer) {
            if (authorization.equals(Optional.of(basicHeader(user, password)))) {
                return forward.forward(request);
            }
            return TestProxy.Reply.of(401, "application/json", error("UNAUTHORIZED", "authentication required"))
                    .with("WWW-Authenticate", "Basic realm=\"test registry\"");
        }
        String needed = needed(request);
        if (authorization.isPresent() && authorization.get().startsWith("Bearer ")) {
            List<String> granted = tokens.get(authorization.get().substring(7));
            if (granted != null && (needed.isEmpty() || covers(granted, needed))) {
                return forward.forward(request);
            }
        }
        String challenge = "Bearer realm=\"" + realm + "\",service=\"test-registry\""
                + (needed.isEmpty() ? "" : ",scope=\"" + needed + "\"");
        return TestProxy.Reply.of(401, "application/json", error("UNAUTHORIZED", "authentication required"))
                .with("WWW-Authenticate", challenge);
    }

    private TestProxy.Reply token(TestProxy.Request request) {
        List<String> scopes = new ArrayList<>();
        String query = request.path().contains("?") ? request.path().substring(request.path().indexOf('?') + 1) : "";
        for (String pair : query.split("&")) {
            if (pair.startsWith("scope=")) {
                scopes.add(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
            }
        }
        Optional<String> basic = request.header("Authorization").filter(a -> a.startsWith("Basic "));
        Optional<String> who = basic.map(b -> new String(Base64.getDecoder().decode(b.substring(6)), StandardCharsets.UTF_8))
                .map(s -> s.substring(0, s.indexOf(':')));
        tokenRequests.add(new TokenRequest(who, scopes));
        if (basic.isPresent() && !basic.get().equals(basicHeader(user, password))) {
            return TestProxy.Reply.of(401, "application/json", "{\"details\":\"incorrect username or password\"}");
        }
        if (basic.isEmpty() && (!anonymousPull || scopes.stream().anyMatch(s -> s.contains("push") || s.contains("delete")))) {
            return TestProxy.Reply.of(401, "application/json", "{\"details\":\"authentication required\"}");
        }
        String token = "tok-" + issued.incrementAndGet();
        tokens.put(token, List.copyOf(scopes));
        return TestProxy.Reply.of(200, "application/json", "{\"token\":\"" + token + "\",\"expires_in\":300}");
    }

    /** The scope a request needs: {@code repository:<name>:pull} or {@code …:pull,push}; empty for /v2/ itself. */
    private static String needed(TestProxy.Request request) {
        String path = request.path().contains("?") ? request.path().substring(0, request.path().indexOf('?')) : request.path();
        Matcher m = REPOSITORY.matcher(path);
        if (!m.matches()) {
            return "";
        }
        boolean read = request.method().equals("GET") || request.method().equals("HEAD");
        return "repository:" + m.group(1) + ":" + (read ? "pull" : request.method().equals("DELETE") ? "delete" : "pull,push");
    }

    private static boolean covers(List<String> granted, String needed) {
        String[] parts = needed.split(":");
        String prefix = parts[0] + ":" + parts[1] + ":";
        for (String action : parts[2].split(",")) {
            boolean ok = granted.stream().anyMatch(g -> g.startsWith(prefix) && List.of(g.substring(prefix.length()).split(","))
                    .contains(action));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static String basicHeader(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String code, String message) {
        return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}";
    }
}
