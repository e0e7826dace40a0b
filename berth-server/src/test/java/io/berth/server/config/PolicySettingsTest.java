package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.meta.Quota;
import io.berth.server.startup.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code immutability.rules} and {@code quotas}: what the YAML means, and one line per problem, naming its key. */
class PolicySettingsTest {
    @TempDir
    Path dir;

    private BerthConfig load(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), yaml);
        return ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), Optional.of(file)), Map.of());
    }

    private List<String> problems(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), yaml);
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(),
                Optional.of(dir), Optional.of(file)), Map.of()), ConfigException.class);
        assertThat(e).as("refused: " + yaml).isNotNull();
        return e.problems();
    }

    @Test
    void withoutTheSectionsNoTagIsImmutableAndNothingIsLimited() throws Exception {
        BerthConfig config = load("delete:\n  enabled: true\n");
        assertThat(config.immutability().rule(Repository.of("a/b"), new Reference.Tag("v1"), Set.of("oci-image"))).isEmpty();
        assertThat(config.quotas().applying(Repository.of("a/b"))).isEmpty();
    }

    @Test
    void immutabilityRulesMatchByRepositoryTagAndTypeAndTheFirstOneIsNamed() throws Exception {
        BerthConfig config = load("""
                immutability:
                  rules:
                    - repositories: ["team/**", "ops/*"]
                      tags: "^v\\\\d"
                    - repositories: "**"
                      types: [helm-chart]
                """);
        var rules = config.immutability();
        assertThat(rules.rule(Repository.of("team/a/b"), new Reference.Tag("v1.0"), Set.of("oci-image")))
                .hasValue("immutability.rules[0]: repositories team/** ops/*, tags ^v\\d");
        assertThat(rules.rule(Repository.of("ops/x/y"), new Reference.Tag("v1.0"), Set.of("oci-image"))).isEmpty();
        assertThat(rules.rule(Repository.of("team/a"), new Reference.Tag("latest"), Set.of("oci-image"))).isEmpty();
        assertThat(rules.rule(Repository.of("team/a"), new Reference.Tag("latest"), Set.of("oci-image", "helm-chart")))
                .hasValue("immutability.rules[1]: repositories **, types helm-chart");
        assertThat(rules.rule(Repository.of("charts"), new Reference.Tag("1.0"), Set.of("helm-chart"))).isPresent();
    }

    @Test
    void quotasApplyTheFirstMatchingRuleOfEachKind() throws Exception {
        BerthConfig config = load("""
                quotas:
                  - repositories: team/big
                    bytes: 100GiB
                  - repositories: "**"
                    bytes: 500MiB
                    manifests: 1000
                  - namespaces: ["team", "ops-*"]
                    bytes: 1TB
                  - namespaces: "*"
                    manifests: 50
                """);
        assertThat(config.quotas().applying(Repository.of("team/big"))).containsExactly(
                new Quota(new Quota.Scope(Quota.Scope.Kind.REPOSITORY, "team/big"), "quotas[0]",
                        OptionalLong.of(100L << 30), OptionalLong.empty()),
                new Quota(new Quota.Scope(Quota.Scope.Kind.NAMESPACE, "team"), "quotas[2]",
                        OptionalLong.of(1_000_000_000_000L), OptionalLong.empty()));
        assertThat(config.quotas().applying(Repository.of("other/app/web"))).containsExactly(
                new Quota(new Quota.Scope(Quota.Scope.Kind.REPOSITORY, "other/app/web"), "quotas[1]",
                        OptionalLong.of(500L << 20), OptionalLong.of(1000)),
                new Quota(new Quota.Scope(Quota.Scope.Kind.NAMESPACE, "other"), "quotas[3]",
                        OptionalLong.empty(), OptionalLong.of(50)));
        assertThat(config.quotas().applying(Repository.of("ops-eu/app")).get(1).rule()).isEqualTo("quotas[2]");
        // a name of one segment is its own namespace
        assertThat(config.quotas().applying(Repository.of("alpine")).get(1).scope())
                .isEqualTo(new Quota.Scope(Quota.Scope.Kind.NAMESPACE, "alpine"));
    }

    /** What is wrong, the YAML, and the one line that must report it. */
    static Stream<Arguments> problemCases() {
        return """
                bad glob        | immutability: {rules: [{repositories: ["Team/**"]}]}          | immutability.rules[0].repositories: 'Team/**' is no repository pattern; use lower-case names with * (within a segment), ** (across segments) and ?, e.g. team/**
                bad regex       | immutability: {rules: [{repositories: "a/**", tags: "^v("}]}  | immutability.rules[0].tags: '^v(' is no regular expression (Unclosed group at index 3)
                unknown type    | immutability: {rules: [{repositories: "**", types: [helm]}]}   | immutability.rules[0].types: unknown type id 'helm'; use an id of the type catalog (GET /api/v1/types), e.g. oci-image, helm-chart
                no repositories | immutability: {rules: [{tags: "^v"}]}                         | immutability.rules[0].repositories is required: the repositories whose tags are immutable, e.g. ["team/**"]
                unknown key     | immutability: {rules: [{repositories: "**", tag: "^v"}]}      | immutability.rules[0]: unknown key 'tag' (known: [repositories, tags, types])
                negative size   | quotas: [{repositories: "**", bytes: -5GiB}]                  | quotas[0].bytes: '-5GiB' is no size; write bytes or a number with a unit: 500MiB, 10GiB, 1TB
                unknown unit    | quotas: [{repositories: "**", bytes: 10GB2}]                  | quotas[0].bytes: '10GB2' is no size; write bytes or a number with a unit: 500MiB, 10GiB, 1TB
                bad unit        | quotas: [{repositories: "**", bytes: 10 gigs}]                | quotas[0].bytes: '10 gigs' is no size; write bytes or a number with a unit: 500MiB, 10GiB, 1TB
                negative count  | quotas: [{repositories: "**", manifests: -1}]                 | quotas[0].manifests must be a whole number of manifests, 0 or more, was '-1'
                no limit        | quotas: [{repositories: "**"}]                                | quotas[0] needs bytes (e.g. 10GiB) or manifests (a number), or both
                both scopes     | quotas: [{repositories: "**", namespaces: "*", bytes: 1}]    | quotas[0] needs either repositories (a limit for each matching repository) or namespaces (a limit for each matching namespace, its repositories together), not both
                slash namespace | quotas: [{namespaces: "team/app", bytes: 1}]                  | quotas[0].namespaces: 'team/app' holds a '/'; a namespace is the first path segment of repository names (team of team/app), or a pattern of them like team-*
                not a list      | quotas: {repositories: "**", bytes: 1}                        | quotas must be a list of quotas (repositories or namespaces, bytes, manifests)
                """.lines().map(String::strip).filter(line -> !line.isEmpty()).map(line -> {
                    String[] parts = line.split("\\s*\\|\\s*", 3);
                    return Arguments.of(parts[0], parts[1], parts[2]);
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problemCases")
    void eachProblemIsOneLineNamingItsKey(String what, String yaml, String problem) throws Exception {
        assertThat(problems(yaml + "\n")).containsExactly(problem);
    }

    @Test
    void aTypeDefinedInTheTypesDirectoryIsKnown() throws Exception {
        Files.createDirectories(dir.resolve("types"));
        Files.writeString(dir.resolve("types").resolve("acme.yaml"), """
                berthTypes: 1
                types:
                  - id: acme-bundle
                    title: Acme bundle
                    icon: "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><rect width='24' height='24'/></svg>"
                    scanner: none
                    match:
                      - configMediaType: application/vnd.acme.bundle.config.v1+json
                """);
        BerthConfig config = load("immutability: {rules: [{repositories: \"**\", types: [acme-bundle]}]}\n");
        assertThat(config.immutability().rules().get(0).types()).containsExactly("acme-bundle");
    }
}
