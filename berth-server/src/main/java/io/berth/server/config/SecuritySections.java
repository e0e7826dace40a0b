package io.berth.server.config;

import io.berth.server.startup.ConfigException;
import io.berth.server.auth.AuthConfig;
import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.auth.AuthConfig.Policy;
import io.berth.server.auth.AuthConfig.RateLimit;
import io.berth.server.auth.AuthConfig.Robot;
import io.berth.server.auth.AuthConfig.Token;
import io.berth.server.auth.AuthConfig.TrustedIssuer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code auth} and {@code tls} sections of the configuration file (see {@link AuthConfig} and
 * {@link TlsConfig}); {@code BERTH_AUTH_HTPASSWD}, {@code BERTH_TLS_CERTIFICATE}, {@code BERTH_TLS_KEY} and the
 * {@code --htpasswd} flag override the file. Every problem is collected, with the key it was found at.
 *
 * <pre>
 * auth:
 *   htpasswd: /etc/berth/htpasswd      # bcrypt entries (htpasswd -B); reloaded on change
 *   token: {issuer: berth, service: berth, realm: https://…/token, ttl: 300, refreshTtl: 86400, key: FILE}
 *   trustedIssuers: [{issuer: https://sso.example.com, jwks: /etc/berth/sso-jwks.json}]
 *   groups: {team-a: [alice, bob]}
 *   policies: [{repositories: ["samples/**"], users: [], groups: [], anonymous: true, actions: [pull]}]
 *   robots: [{name: ci, tokenHash: "$2y$…", policies: [{repositories: ["ci/**"], actions: [pull, push]}]},
 *            {name: prometheus, tokenHash: "$2y$…", metrics: true}]   # may scrape GET /metrics
 *   rateLimit: {maxFailures: 10, windowSeconds: 60, lockoutSeconds: 300}
 * tls:
 *   certificate: /etc/berth/tls.crt
 *   key: /etc/berth/tls.key
 *   allowPlainHttpAuth: false
 *   http2: false       # true: HTTP/2 offered through ALPN besides HTTP/1.1 (BERTH_TLS_HTTP2)
 * </pre>
 */
final class SecuritySections {
    private static final Set<String> AUTH_KEYS = Set.of("htpasswd", "token", "trustedIssuers", "groups", "policies",
            "robots", "rateLimit");
    private static final Set<String> TOKEN_KEYS = Set.of("issuer", "service", "realm", "ttl", "refreshTtl", "key");
    private static final Set<String> POLICY_KEYS = Set.of("repositories", "users", "groups", "anonymous", "actions");
    private static final Set<String> ROBOT_KEYS = Set.of("name", "tokenHash", "policies", "metrics");
    private static final Set<String> ISSUER_KEYS = Set.of("issuer", "jwks");
    private static final Set<String> RATE_KEYS = Set.of("maxFailures", "windowSeconds", "lockoutSeconds");
    private static final Set<String> TLS_KEYS = Set.of("certificate", "key", "allowPlainHttpAuth", "http2");

    private final List<String> problems;
    private final List<NamedFile> files;

    private SecuritySections(List<String> problems, List<NamedFile> files) {
        this.problems = problems;
        this.files = files;
    }

    /** @param files gets the files the section names, with where each was set, whether or not the section is valid */
    static AuthConfig auth(JsonNode file, Map<String, String> environment, Optional<Path> htpasswdFlag,
                           List<String> problems, List<NamedFile> files) {
        return new SecuritySections(problems, files).auth(file == null ? null : file.get("auth"), environment, htpasswdFlag);
    }

    static TlsConfig tls(JsonNode file, Map<String, String> environment, List<String> problems, List<NamedFile> files) {
        return new SecuritySections(problems, files).tls(file == null ? null : file.get("tls"), environment);
    }

    private AuthConfig auth(JsonNode section, Map<String, String> environment, Optional<Path> htpasswdFlag) {
        JsonNode node = mapping(section, "auth", AUTH_KEYS);
        Optional<String> fromEnvironment = variable(environment, "BERTH_AUTH_HTPASSWD");
        String htpasswdSetting = htpasswdFlag.isPresent() ? "--htpasswd"
                : fromEnvironment.isPresent() ? "BERTH_AUTH_HTPASSWD" : "auth.htpasswd";
        Optional<Path> htpasswd = htpasswdFlag
                .or(() -> fromEnvironment.or(() -> text(node, "htpasswd")).flatMap(v -> path("auth.htpasswd", v)));
        htpasswd.ifPresent(path -> files.add(NamedFile.read(path, "htpasswd file", htpasswdSetting,
                "create it with: htpasswd -cB " + path + " USER")));
        AuthConfig auth = new AuthConfig(htpasswd, token(node == null ? null : node.get("token")),
                issuers(node == null ? null : node.get("trustedIssuers")),
                groups(node == null ? null : node.get("groups")),
                policies(node == null ? null : node.get("policies"), "auth.policies"),
                robots(node == null ? null : node.get("robots")),
                rateLimit(node == null ? null : node.get("rateLimit")));
        List<String> found = auth.problems();
        problems.addAll(found);
        return found.isEmpty() ? auth : AuthConfig.NONE;
    }

    private TlsConfig tls(JsonNode section, Map<String, String> environment) {
        JsonNode node = mapping(section, "tls", TLS_KEYS);
        Optional<Path> certificate = tlsFile(node, environment, "certificate", "BERTH_TLS_CERTIFICATE", "TLS certificate");
        Optional<Path> key = tlsFile(node, environment, "key", "BERTH_TLS_KEY", "TLS key");
        boolean allowPlain = bool(node, "allowPlainHttpAuth", "tls", false);
        boolean http2 = variable(environment, "BERTH_TLS_HTTP2").filter(v -> !v.isBlank())
                .map(v -> bool(v, "BERTH_TLS_HTTP2", false)).orElseGet(() -> bool(node, "http2", "tls", false));
        try {
            return new TlsConfig(certificate, key, allowPlain, http2);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return TlsConfig.NONE;
        }
    }

    private Optional<Path> tlsFile(JsonNode node, Map<String, String> environment, String key, String variable,
                                   String what) {
        Optional<String> fromEnvironment = variable(environment, variable);
        String setting = fromEnvironment.isPresent() ? variable : "tls." + key;
        Optional<Path> path = fromEnvironment.or(() -> text(node, key)).flatMap(v -> path("tls." + key, v));
        path.ifPresent(p -> files.add(NamedFile.read(p, what, setting, "fix " + setting + " or create the PEM file")));
        return path;
    }

    /** An environment variable's value when it is set and not empty. */
    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).filter(v -> !v.isEmpty());
    }

    private Token token(JsonNode node) {
        node = mapping(node, "auth.token", TOKEN_KEYS);
        Token defaults = Token.DEFAULT;
        return new Token(text(node, "issuer").orElse(defaults.issuer()),
                text(node, "service").orElse(defaults.service()),
                text(node, "realm"),
                seconds(node, "ttl", "auth.token").orElse(defaults.ttl()),
                seconds(node, "refreshTtl", "auth.token").orElse(defaults.refreshTtl()),
                text(node, "key").flatMap(v -> path("auth.token.key", v)).map(key -> {
                    files.add(new NamedFile(key, "token signing key", "auth.token.key",
                            "fix auth.token.key (Berth creates the key when the file does not exist)", true));
                    return key;
                }));
    }

    private List<TrustedIssuer> issuers(JsonNode node) {
        List<TrustedIssuer> issuers = new ArrayList<>();
        List<JsonNode> items = sequence(node, "auth.trustedIssuers");
        for (int i = 0; i < items.size(); i++) {
            String where = "auth.trustedIssuers[" + i + "]";
            JsonNode item = mapping(items.get(i), where, ISSUER_KEYS);
            Optional<Path> jwks = text(item, "jwks").flatMap(v -> path(where + ".jwks", v));
            jwks.ifPresent(path -> files.add(NamedFile.read(path, "JWKS file", where + ".jwks",
                    "fix the path or save the issuer's JWKS there")));
            issuers.add(new TrustedIssuer(text(item, "issuer").orElse(null), jwks.orElse(null)));
        }
        return issuers;
    }

    private Map<String, List<String>> groups(JsonNode node) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return groups;
        }
        if (!node.isObject()) {
            problems.add("auth.groups must map group names to lists of users");
            return groups;
        }
        node.fields().forEachRemaining(e -> groups.put(e.getKey(), strings(e.getValue(), "auth.groups." + e.getKey())));
        return groups;
    }

    private List<Policy> policies(JsonNode node, String where) {
        List<Policy> policies = new ArrayList<>();
        List<JsonNode> items = sequence(node, where);
        for (int i = 0; i < items.size(); i++) {
            String at = where + "[" + i + "]";
            JsonNode item = mapping(items.get(i), at, POLICY_KEYS);
            policies.add(new Policy(strings(item == null ? null : item.get("repositories"), at + ".repositories"),
                    strings(item == null ? null : item.get("users"), at + ".users"),
                    strings(item == null ? null : item.get("groups"), at + ".groups"),
                    bool(item, "anonymous", at, false),
                    strings(item == null ? null : item.get("actions"), at + ".actions")));
        }
        return policies;
    }

    private List<Robot> robots(JsonNode node) {
        List<Robot> robots = new ArrayList<>();
        List<JsonNode> items = sequence(node, "auth.robots");
        for (int i = 0; i < items.size(); i++) {
            String at = "auth.robots[" + i + "]";
            JsonNode item = mapping(items.get(i), at, ROBOT_KEYS);
            robots.add(new Robot(text(item, "name").orElse(null), text(item, "tokenHash").orElse(null),
                    policies(item == null ? null : item.get("policies"), at + ".policies"),
                    bool(item, "metrics", at, false)));
        }
        return robots;
    }

    private RateLimit rateLimit(JsonNode node) {
        node = mapping(node, "auth.rateLimit", RATE_KEYS);
        RateLimit defaults = RateLimit.DEFAULT;
        return new RateLimit(
                seconds(node, "maxFailures", "auth.rateLimit").map(d -> (int) d.toSeconds()).orElse(defaults.maxFailures()),
                seconds(node, "windowSeconds", "auth.rateLimit").orElse(defaults.window()),
                seconds(node, "lockoutSeconds", "auth.rateLimit").orElse(defaults.lockout()));
    }

    // ---- YAML shapes --------------------------------------------------------------------------------------

    /** The node if it is a mapping (unknown keys reported), null if absent or not a mapping. */
    private JsonNode mapping(JsonNode node, String where, Set<String> known) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(where + " must be a mapping");
            return null;
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(where + ": unknown key '" + key + "' (known: " + known + ")");
            }
        });
        return node;
    }

    private List<JsonNode> sequence(JsonNode node, String where) {
        List<JsonNode> items = new ArrayList<>();
        if (node == null || node.isNull()) {
            return items;
        }
        if (!node.isArray()) {
            problems.add(where + " must be a list");
            return items;
        }
        node.forEach(items::add);
        return items;
    }

    private List<String> strings(JsonNode node, String where) {
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (node.isValueNode()) {
            values.add(node.asText());
            return values;
        }
        if (!node.isArray()) {
            problems.add(where + " must be a list of strings");
            return values;
        }
        node.forEach(item -> {
            if (item.isValueNode()) {
                values.add(item.asText());
            } else {
                problems.add(where + " must be a list of strings");
            }
        });
        return values;
    }

    private Optional<Path> path(String key, String value) {
        return ConfigLoader.path(key, value, problems);
    }

    private static Optional<String> text(JsonNode node, String key) {
        JsonNode value = node == null ? null : node.get(key);
        return value == null || value.isNull() || value.isContainerNode() ? Optional.empty() : Optional.of(value.asText());
    }

    private Optional<Duration> seconds(JsonNode node, String key, String where) {
        return text(node, key).flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
            } catch (NumberFormatException e) {
                problems.add(where + "." + key + " must be a whole number, was '" + value + "'");
                return Optional.empty();
            }
        });
    }

    private boolean bool(JsonNode node, String key, String where, boolean otherwise) {
        Optional<String> value = text(node, key);
        return value.isEmpty() ? otherwise : bool(value.get(), where + "." + key, otherwise);
    }

    private boolean bool(String value, String setting, boolean otherwise) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problems.add(setting + " must be true or false, was '" + value + "'");
                yield otherwise;
            }
        };
    }
}
