package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.retention.RetentionPolicy;
import io.berth.server.startup.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retention}: the policies of docs/storage.md load as written; every mistake is one line naming its key; type
 * ids are checked against the catalog.
 */
class RetentionSettingsTest {
    /** The example of docs/storage.md, as a user would write it. */
    static final String EXAMPLE = """
            retention:
              interval: 30m
              policies:
                - name: images
                  repositories: ["**"]
                  types: [oci-image, oci-image-index, docker-image, docker-manifest-list]
                  keep:
                    - latest: 10
                    - tags: '^v?\\d+\\.\\d+\\.\\d+$'
                - name: charts
                  repositories: ["charts/**"]
                  types: [helm-chart]
                  keep:
                    - latest: 5
                - name: untagged
                  repositories: ["**"]
                  delete:
                    - untagged: 7d
                - repositories: ["team-a/**"]
                  delete:
                    - tags: '^pr-'
                      olderThan: 14d
                    - notPulledFor: 90d
                  keep:
                    - pulledWithin: 7d
            """;

    @TempDir
    Path dir;

    private RetentionConfig load(String yaml, Map<String, String> environment) throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), yaml);
        return ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), Optional.of(file)),
                environment).retention();
    }

    private List<String> problems(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), yaml);
        try {
            ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), Optional.of(file)), Map.of());
        } catch (ConfigException e) {
            assertThat(e.problems()).allSatisfy(problem -> assertThat(problem).doesNotContain("\n"));
            return e.problems();
        }
        throw new AssertionError("the configuration loaded without a problem");
    }

    @Test
    void withoutASectionThereAreNoPoliciesAndNothingIsScheduled() throws Exception {
        RetentionConfig none = load("listen: 127.0.0.1:5000\n", Map.of());
        assertThat(none.policies()).isEmpty();
        assertThat(none.scheduled()).isFalse();
        assertThat(none.pullTimePrecision()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void theDocumentedExampleLoads() throws Exception {
        RetentionConfig config = load(EXAMPLE, Map.of());
        assertThat(config.interval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.scheduled()).isTrue();
        assertThat(config.policies()).extracting(RetentionPolicy::name)
                .containsExactly("images", "charts", "untagged", "policies[3]");
        RetentionPolicy images = config.policies().get(0);
        assertThat(images.types()).containsExactlyInAnyOrder("oci-image", "oci-image-index", "docker-image",
                "docker-manifest-list");
        assertThat(images.keep().get(0).latest()).hasValue(10);
        assertThat(images.keep().get(1).tags().orElseThrow().matcher("v1.2.3").find()).isTrue();
        assertThat(images.keep().get(1).tags().orElseThrow().matcher("v1.2.3-rc1").find()).isFalse();
        assertThat(config.policies().get(1).covers(Repository.of("charts/web"))).isTrue();
        assertThat(config.policies().get(1).covers(Repository.of("images/web"))).isFalse();
        assertThat(config.policies().get(2).delete().get(0).untagged()).contains(Duration.ofDays(7));
        RetentionPolicy team = config.policies().get(3);
        assertThat(team.delete()).hasSize(2);
        assertThat(team.delete().get(0).olderThan()).contains(Duration.ofDays(14));
        assertThat(team.delete().get(1).notPulledFor()).contains(Duration.ofDays(90));
        // the shortest pull duration of any rule (7d) over 8
        assertThat(config.pullTimePrecision()).isEqualTo(Duration.ofHours(1));
        assertThat(config.unknownTypes(TypeCatalog.builtIn())).isEmpty();
        assertThat(load(EXAMPLE, Map.of("BERTH_RETENTION_INTERVAL", "0s")).scheduled()).isFalse();
    }

    @Test
    void theExampleOfStorageMdLoadsAsWritten() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "storage.md"));
        int section = doc.indexOf("## Retention policies");
        assertThat(section).as("storage.md has a retention section").isPositive();
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        RetentionConfig config = load(yaml, Map.of());
        assertThat(config.policies()).extracting(RetentionPolicy::name)
                .containsExactly("images", "charts", "untagged", "previews");
        assertThat(config.unknownTypes(TypeCatalog.builtIn())).isEmpty();
        assertThat(config.interval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aShortPullDurationMakesPullTimesFiner() throws Exception {
        RetentionConfig config = load("""
                retention:
                  policies:
                    - repositories: ["**"]
                      delete: [{notPulledFor: 16m}]
                """, Map.of());
        assertThat(config.pullTimePrecision()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void eachMistakeIsOneLineNamingItsKey() throws Exception {
        List<String> problems = problems("""
                retention:
                  interval: soon
                  every: 1h
                  policies:
                    - name: bad
                      repositories: ["**"]
                      types: [Helm Chart]
                      keep:
                        - tags: '^v(\\d+'
                        - latest: none
                        - {}
                      delete:
                        - olderThan: 2 weeks
                        - untagged: 7d
                          tags: x
                        - colour: red
                    - name: no-scope
                      keep: [{latest: 3}]
                    - name: no-rules
                      repositories: ["**"]
                """);
        assertThat(problems).containsExactlyInAnyOrder(
                "retention.interval (BERTH_RETENTION_INTERVAL) must be a duration such as 10s, 500ms, 15m, 24h or 7d,"
                        + " was 'soon'",
                "retention: unknown key 'every' (known: [interval, policies])",
                "retention.policies[0].types: 'Helm Chart' is no type id (kebab-case, as in oci-image or helm-chart;"
                        + " GET /api/v1/types lists them)",
                "retention.policies[0].keep[0].tags is not a regular expression: Unclosed group at index 6 in '^v(\\d+'",
                "retention.policies[0].keep[1].latest must be a whole number of 1 or more, was 'none'",
                "retention.policies[0].keep[2]: keeps nothing: give tags, types, latest, pushedWithin or pulledWithin",
                "retention.policies[0].delete[0].olderThan must be a duration such as 12h, 7d or 90d, was '2 weeks'",
                "retention.policies[0].delete[1]: untagged selects manifests without tags, so tags cannot be given too",
                "retention.policies[0].delete[2]: unknown key 'colour' (known: [notPulledFor, olderThan, tags, types,"
                        + " untagged])",
                "retention.policies[1]: repositories is required: the repository globs the policy applies to, e.g."
                        + " [\"**\"] for all",
                "retention.policies[2]: has no rules: give keep rules (everything else in its scope goes), delete"
                        + " rules, or both");
    }

    @Test
    void aTypeIdTheCatalogDoesNotKnowIsReportedWithTheKnownOnes() throws Exception {
        RetentionConfig config = load("""
                retention:
                  policies:
                    - name: charts
                      repositories: ["**"]
                      types: [helm]
                      keep: [{latest: 5, types: [helm-chart]}]
                """, Map.of());
        List<String> problems = config.unknownTypes(TypeCatalog.builtIn());
        assertThat(problems).singleElement().satisfies(problem -> assertThat(problem)
                .startsWith("retention.policies[0] (charts): unknown type id 'helm' (the type catalog's ids: oci-image,")
                .contains("helm-chart"));
        assertThat(Set.copyOf(config.policies().get(0).keep().get(0).types())).containsExactly("helm-chart");
    }
}
