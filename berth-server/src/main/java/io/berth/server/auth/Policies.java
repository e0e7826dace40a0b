package io.berth.server.auth;

import io.berth.oci.Repository;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The access policies of the configuration, evaluated: which actions a subject has on a repository. Rights add up
 * over every rule that applies. What anonymous callers may do, everyone may do. A robot gets its own rules and the
 * anonymous ones, never the users' rules. Without any policy at all, every htpasswd user may do everything (the
 * quick start's {@code --htpasswd FILE}).
 */
final class Policies {
    /** One policy of the configuration, compiled. */
    record Rule(List<Pattern> repositories, Set<String> users, Set<String> groups, boolean anonymous,
                Set<Action> actions) {
        static Rule of(AuthConfig.Policy policy) {
            Set<Action> actions = EnumSet.noneOf(Action.class);
            policy.actions().forEach(a -> actions.addAll(Action.parse(a)));
            return new Rule(policy.repositories().stream().map(Glob::compile).toList(), Set.copyOf(policy.users()),
                    Set.copyOf(policy.groups()), policy.anonymous(), actions);
        }

        boolean covers(String repository) {
            for (Pattern pattern : repositories) {
                if (pattern.matcher(repository).matches()) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Rule> rules;
    private final Map<String, List<Rule>> robotRules;
    private final Map<String, Set<String>> groupsOfUser;
    private final Set<String> scrapers;

    Policies(List<Rule> rules, Map<String, List<Rule>> robotRules, Map<String, Set<String>> groupsOfUser) {
        this(rules, robotRules, groupsOfUser, Set.of());
    }

    /** @param scrapers the robots (by name, without {@code robot$}) that may scrape the metrics */
    Policies(List<Rule> rules, Map<String, List<Rule>> robotRules, Map<String, Set<String>> groupsOfUser,
             Set<String> scrapers) {
        this.rules = List.copyOf(rules);
        this.robotRules = Map.copyOf(robotRules);
        this.groupsOfUser = Map.copyOf(groupsOfUser);
        this.scrapers = Set.copyOf(scrapers);
    }

    static Policies of(AuthConfig config) {
        List<AuthConfig.Policy> policies = config.policies().isEmpty()
                ? List.of(AuthConfig.Policy.EVERY_USER_EVERYTHING)
                : config.policies();
        Map<String, List<Rule>> robots = new HashMap<>();
        config.robots().forEach(r -> robots.put(r.name(), r.policies().stream().map(Rule::of).toList()));
        Map<String, Set<String>> groups = new HashMap<>();
        config.groups().forEach((group, users) -> users.forEach(u -> groups.computeIfAbsent(u, x -> new HashSet<>()).add(group)));
        Set<String> scrapers = new HashSet<>();
        config.robots().stream().filter(AuthConfig.Robot::metrics).forEach(r -> scrapers.add(r.name()));
        return new Policies(policies.stream().map(Rule::of).toList(), robots, groups, scrapers);
    }

    /** The groups the configuration puts this user in. */
    Set<String> groupsOf(String user) {
        return groupsOfUser.getOrDefault(user, Set.of());
    }

    /** Every action the subject has on the repository. */
    Set<Action> allowed(Subject subject, String repository) {
        Set<Action> allowed = EnumSet.noneOf(Action.class);
        for (Rule rule : rules) {
            if (rule.anonymous() && rule.covers(repository)) {
                allowed.addAll(rule.actions());
            }
        }
        for (Rule rule : applicable(subject)) {
            if (rule.covers(repository)) {
                allowed.addAll(rule.actions());
            }
        }
        return allowed;
    }

    /** Whether the subject may list the catalog: everyone who is somebody, and anonymous when it may pull somewhere. */
    boolean mayList(Subject subject) {
        return !subject.isAnonymous() || rules.stream().anyMatch(r -> r.anonymous() && r.actions().contains(Action.PULL));
    }

    /**
     * Whether the subject operates the registry: one of its own rules (not the anonymous ones) grants every action on
     * every repository ({@code repositories: ["**"]}, {@code actions: ["*"]}). Without policies every user is one.
     */
    boolean isAdmin(Subject subject) {
        return !subject.isAnonymous() && applicable(subject).stream().anyMatch(rule -> rule.actions().containsAll(
                EnumSet.allOf(Action.class)) && rule.repositories().stream().anyMatch(p -> p.pattern().equals(Glob.EVERYTHING)));
    }

    /** Whether the subject may scrape {@code /metrics}: an admin, or a robot configured with {@code metrics: true}. */
    boolean mayScrape(Subject subject) {
        return isAdmin(subject) || subject.kind() == Subject.Kind.ROBOT
                && scrapers.contains(subject.name().substring(Subject.ROBOT_PREFIX.length()));
    }

    Predicate<Repository> readable(Subject subject) {
        return repository -> allowed(subject, repository.name()).contains(Action.PULL);
    }

    private List<Rule> applicable(Subject subject) {
        return switch (subject.kind()) {
            case USER -> rules.stream().filter(r -> r.users().contains(subject.name()) || r.users().contains("*")
                    || r.groups().stream().anyMatch(subject.groups()::contains)).toList();
            case ROBOT -> robotRules.getOrDefault(subject.name().substring(Subject.ROBOT_PREFIX.length()), List.of());
            case ANONYMOUS, EXTERNAL -> List.of();
        };
    }
}
