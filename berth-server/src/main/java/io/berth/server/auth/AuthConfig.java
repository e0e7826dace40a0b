package io.berth.server.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code auth} section: who may do what. Authorization is on as soon as an htpasswd file, a robot, a policy or a
 * trusted issuer is configured ({@link #enabled()}); without any, every request is allowed.
 *
 * @param htpasswd       an htpasswd file with bcrypt entries ({@code htpasswd -B}), reloaded when it changes
 * @param token          the built-in token service
 * @param trustedIssuers external token issuers whose tokens are accepted
 * @param groups         group name to user names
 * @param policies       repository patterns to subjects to actions; none = every htpasswd user may do everything
 * @param robots         named API tokens with their own policies
 * @param rateLimit      failed logins per client address before it is locked out for a while
 */
public record AuthConfig(Optional<Path> htpasswd, Token token, List<TrustedIssuer> trustedIssuers,
                         Map<String, List<String>> groups, List<Policy> policies, List<Robot> robots,
                         RateLimit rateLimit) {
    /** Authorization off. */
    public static final AuthConfig NONE = new AuthConfig(Optional.empty(), Token.DEFAULT, List.of(), Map.of(),
            List.of(), List.of(), RateLimit.DEFAULT);
    /** The actions a policy may name. */
    public static final Set<String> ACTIONS = Set.of("pull", "push", "delete", "*");
    private static final Pattern ROBOT_NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
    private static final Pattern PATTERN = Pattern.compile("[a-z0-9._/*-]+");

    public AuthConfig {
        trustedIssuers = List.copyOf(trustedIssuers);
        groups = Map.copyOf(groups);
        policies = List.copyOf(policies);
        robots = List.copyOf(robots);
    }

    /**
     * What is wrong with this configuration, each problem naming its key ({@code auth.robots[1].name …}); empty when
     * it is usable. The server's configuration refuses to be built with any, and reports them with its own.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(token.problems());
        problems.addAll(rateLimit.problems());
        for (int i = 0; i < policies.size(); i++) {
            policies.get(i).check("auth.policies[" + i + "]", problems, true);
        }
        Set<String> robotNames = new java.util.HashSet<>();
        for (int i = 0; i < robots.size(); i++) {
            Robot robot = robots.get(i);
            String where = "auth.robots[" + i + "]";
            if (robot.name() == null || !ROBOT_NAME.matcher(robot.name()).matches()) {
                problems.add(where + ".name must be lower-case letters, digits, '.', '_' or '-', was '" + robot.name() + "'");
            } else if (!robotNames.add(robot.name())) {
                problems.add(where + ": robot '" + robot.name() + "' is defined twice");
            }
            if (robot.tokenHash() == null || !robot.tokenHash().matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                problems.add(where + ".tokenHash must be a bcrypt hash ($2y$…, e.g. from htpasswd -nbB x TOKEN)");
            }
            if (robot.policies().isEmpty() && !robot.metrics()) {
                problems.add(where + ".policies must grant the robot something (or metrics: true for a scraper)");
            }
            for (int p = 0; p < robot.policies().size(); p++) {
                robot.policies().get(p).check(where + ".policies[" + p + "]", problems, false);
            }
        }
        for (int i = 0; i < trustedIssuers.size(); i++) {
            TrustedIssuer issuer = trustedIssuers.get(i);
            if (issuer.issuer() == null || issuer.issuer().isBlank() || issuer.jwks() == null) {
                problems.add("auth.trustedIssuers[" + i + "] needs issuer and jwks");
            } else if (issuer.issuer().equals(token.issuer())) {
                problems.add("auth.trustedIssuers[" + i + "].issuer must differ from auth.token.issuer");
            }
        }
        return problems;
    }

    /** Whether requests are checked at all. */
    public boolean enabled() {
        return htpasswd.isPresent() || !robots.isEmpty() || !policies.isEmpty() || !trustedIssuers.isEmpty();
    }

    public AuthConfig withHtpasswd(Path file) {
        return new AuthConfig(Optional.of(file), token, trustedIssuers, groups, policies, robots, rateLimit);
    }

    public AuthConfig withPolicies(List<Policy> policies) {
        return new AuthConfig(htpasswd, token, trustedIssuers, groups, policies, robots, rateLimit);
    }

    public AuthConfig withRobots(List<Robot> robots) {
        return new AuthConfig(htpasswd, token, trustedIssuers, groups, policies, robots, rateLimit);
    }

    public AuthConfig withGroups(Map<String, List<String>> groups) {
        return new AuthConfig(htpasswd, token, trustedIssuers, groups, policies, robots, rateLimit);
    }

    public AuthConfig withToken(Token token) {
        return new AuthConfig(htpasswd, token, trustedIssuers, groups, policies, robots, rateLimit);
    }

    public AuthConfig withTrustedIssuers(List<TrustedIssuer> issuers) {
        return new AuthConfig(htpasswd, token, issuers, groups, policies, robots, rateLimit);
    }

    public AuthConfig withRateLimit(RateLimit rateLimit) {
        return new AuthConfig(htpasswd, token, trustedIssuers, groups, policies, robots, rateLimit);
    }

    /**
     * The built-in token service ({@code GET/POST /token}).
     *
     * @param issuer     the {@code iss} of the tokens it signs
     * @param service    the {@code service} of the challenge and the {@code aud} of the tokens
     * @param realm      the token endpoint's URL as clients reach it; by default derived from each request
     * @param ttl        how long an access token lives
     * @param refreshTtl how long a refresh token (identity token, {@code offline_token=true}) lives
     * @param key        the signing key, a private EC P-256 JWK; by default {@code <data>/token-key.jwk}, generated
     *                   (mode 0600) on the first start
     */
    public record Token(String issuer, String service, Optional<String> realm, Duration ttl, Duration refreshTtl,
                        Optional<Path> key) {
        public static final Token DEFAULT = new Token("berth", "berth", Optional.empty(), Duration.ofMinutes(5),
                Duration.ofDays(1), Optional.empty());

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (issuer == null || issuer.isBlank()) {
                problems.add("auth.token.issuer must not be empty");
            }
            if (service == null || service.isBlank()) {
                problems.add("auth.token.service must not be empty");
            }
            if (ttl == null || ttl.toSeconds() < 10 || ttl.toHours() > 24) {
                problems.add("auth.token.ttl must be 10 s .. 24 h, was " + ttl);
            }
            if (refreshTtl == null || refreshTtl.toSeconds() < 60) {
                problems.add("auth.token.refreshTtl must be at least 60 s, was " + refreshTtl);
            }
            return problems;
        }
    }

    /** An external issuer: tokens with this {@code iss}, signed with a key of the JWKS file, are accepted. */
    public record TrustedIssuer(String issuer, Path jwks) {
    }

    /**
     * Who may do what on which repositories.
     *
     * @param repositories glob patterns: {@code *} within one path segment, {@code **} across segments
     *                     ({@code samples/**}, {@code team-a/*}, {@code **} for all)
     * @param users        user names; {@code *} for every htpasswd user (not robots); ignored in robot policies
     * @param groups       group names of {@link AuthConfig#groups}; ignored in robot policies
     * @param anonymous    whether callers without credentials get the actions too
     * @param actions      {@code pull}, {@code push}, {@code delete} or {@code *}
     */
    public record Policy(List<String> repositories, List<String> users, List<String> groups, boolean anonymous,
                         List<String> actions) {
        /** The quick start's policy: every htpasswd user may pull, push and delete everywhere. */
        public static final Policy EVERY_USER_EVERYTHING = new Policy(List.of("**"), List.of("*"), List.of(), false,
                List.of("*"));

        public Policy {
            repositories = repositories == null ? List.of() : List.copyOf(repositories);
            users = users == null ? List.of() : List.copyOf(users);
            groups = groups == null ? List.of() : List.copyOf(groups);
            actions = actions == null ? List.of() : List.copyOf(actions);
        }

        void check(String where, List<String> problems, boolean needsSubjects) {
            if (repositories.isEmpty()) {
                problems.add(where + ".repositories must name at least one pattern");
            }
            for (String pattern : repositories) {
                if (!PATTERN.matcher(pattern).matches()) {
                    problems.add(where + ": invalid repository pattern '" + pattern + "'");
                }
            }
            if (actions.isEmpty()) {
                problems.add(where + ".actions must name at least one of pull, push, delete, *");
            }
            for (String action : actions) {
                if (!ACTIONS.contains(action)) {
                    problems.add(where + ": unknown action '" + action + "' (known: pull, push, delete, *)");
                }
            }
            if (needsSubjects && users.isEmpty() && groups.isEmpty() && !anonymous) {
                problems.add(where + " applies to nobody: give users, groups or anonymous: true");
            }
        }
    }

    /**
     * A robot account: logs in as {@code robot$<name>} with its token as the password, by basic auth or at the token
     * endpoint, and gets only its own policies.
     *
     * @param tokenHash the bcrypt hash of the token; the token itself is never stored
     * @param metrics   whether the robot may scrape {@code GET /metrics} ({@code registry:metrics:*}): the credential
     *                  to give Prometheus, which then needs no admin password and no repository rights
     */
    public record Robot(String name, String tokenHash, List<Policy> policies, boolean metrics) {
        public Robot {
            policies = policies == null ? List.of() : List.copyOf(policies);
        }

        /** A robot that may not scrape the metrics. */
        public Robot(String name, String tokenHash, List<Policy> policies) {
            this(name, tokenHash, policies, false);
        }

        @Override
        public String toString() {
            return "Robot[name=" + name + ", policies=" + policies + ", metrics=" + metrics + "]";
        }
    }

    /**
     * @param maxFailures failed logins from one address within {@code window} before it is locked out
     * @param window      the window failures are counted in
     * @param lockout     how long a locked-out address gets 429 {@code TOOMANYREQUESTS} on every login
     */
    public record RateLimit(int maxFailures, Duration window, Duration lockout) {
        public static final RateLimit DEFAULT = new RateLimit(10, Duration.ofMinutes(1), Duration.ofMinutes(5));

        List<String> problems() {
            if (maxFailures < 1 || window == null || window.isNegative() || window.isZero() || lockout == null
                    || lockout.isNegative()) {
                return List.of("auth.rateLimit: maxFailures >= 1, windowSeconds > 0, lockoutSeconds >= 0");
            }
            return List.of();
        }
    }
}
