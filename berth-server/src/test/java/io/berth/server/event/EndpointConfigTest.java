package io.berth.server.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.ConfigLoader;
import io.berth.server.meta.RequestContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoint filters, back-off and the {@code events} / {@code scanners} sections of the configuration file. */
class EndpointConfigTest {
    @TempDir
    Path dir;

    static EndpointConfig endpoint(List<String> repositories, Set<Action> actions, Set<String> types) {
        return new EndpointConfig("test", URI.create("http://127.0.0.1:9/hook"), Map.of(), EventFormat.DISTRIBUTION,
                repositories.stream().map(RepositoryGlob::of).toList(), actions, types, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMinutes(5), OptionalInt.empty());
    }

    static Event event(String repository, Action action, String typeId) {
        Event.Target target = new Event.Target(Event.Kind.ARTIFACT, Repository.of(repository), Optional.of("1.0"),
                Digest.sha256("x".getBytes(StandardCharsets.UTF_8)), "application/vnd.oci.image.manifest.v1+json", 1,
                Optional.empty(), typeId == null ? Optional.empty() : Optional.of(new Event.TypeRef(typeId, typeId)),
                Optional.empty());
        return new Event("e", Instant.EPOCH, action, target, RequestContext.INTERNAL, new Event.Source("h:1", "i"));
    }

    @Test
    void emptyFiltersLetEverythingThrough() {
        EndpointConfig all = endpoint(List.of(), Set.of(), Set.of());

        assertThat(all.accepts(event("a/b", Action.PUSH, "helm-chart"))).isTrue();
        assertThat(all.accepts(event("c", Action.DELETE, null))).isTrue();
    }

    @Test
    void anEventMustPassRepositoryActionAndTypeFilters() {
        EndpointConfig helmPushes = endpoint(List.of("samples/**", "charts/*"), Set.of(Action.PUSH), Set.of("helm-chart"));

        assertThat(helmPushes.accepts(event("samples/helm/hello-world", Action.PUSH, "helm-chart"))).isTrue();
        assertThat(helmPushes.accepts(event("charts/app", Action.PUSH, "helm-chart"))).isTrue();
        assertThat(helmPushes.accepts(event("other/app", Action.PUSH, "helm-chart"))).as("repository").isFalse();
        assertThat(helmPushes.accepts(event("samples/helm/hello-world", Action.DELETE, "helm-chart"))).as("action").isFalse();
        assertThat(helmPushes.accepts(event("samples/image/hello-world", Action.PUSH, "oci-image"))).as("type").isFalse();
        assertThat(helmPushes.accepts(event("samples/blob", Action.PUSH, null))).as("blobs have no type").isFalse();
    }

    @Test
    void backoffDoublesFromTheFirstDelayUpToTheMaximum() {
        EndpointConfig endpoint = endpoint(List.of(), Set.of(), Set.of());

        assertThat(List.of(1, 2, 3, 4, 8, 9, 10, 100).stream().map(endpoint::backoffAfter).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 128L, 256L, 300L, 300L);
    }

    @Test
    void theStatusUrlHidesCredentialsAndQuery() {
        EndpointConfig endpoint = EndpointConfig.webhook(URI.create("https://user:pw@hooks.example:8443/berth?token=s3cret"));

        assertThat(endpoint.displayUrl()).isEqualTo("https://hooks.example:8443/berth");
        assertThat(endpoint.toString()).doesNotContain("s3cret", "pw");
    }

    @Test
    void theConfigurationFileDeclaresEndpointsAndScanners() throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                events:
                  pull: true
                  endpoints:
                    - name: ci
                      url: https://ci.example/hooks/berth
                      headers:
                        Authorization: Bearer abc
                        X-Multi: [one, two]
                      format: cloudevents
                      repositories: ["samples/**"]
                      actions: [push, delete]
                      types: [helm-chart]
                      timeoutMillis: 2500
                      backoffMillis: 200
                      maxBackoffMillis: 60000
                      maxRetries: 50
                    - name: all
                      url: http://127.0.0.1:9000/
                scanners:
                  - name: trivy
                    url: http://trivy:8080
                    types: [oci-image, docker-image]
                    authorization: Basic dXNlcjpwYXNz
                    registryUrl: http://berth.internal:5000
                """);

        BerthConfig config = ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), Optional.of(file)),
                Map.of());

        assertThat(config.events().pull()).isTrue();
        assertThat(config.events().endpoints()).hasSize(2);
        EndpointConfig ci = config.events().endpoints().get(0);
        assertThat(ci.name()).isEqualTo("ci");
        assertThat(ci.format()).isEqualTo(EventFormat.CLOUDEVENTS);
        assertThat(ci.headers()).containsEntry("Authorization", "Bearer abc").containsEntry("X-Multi", "one, two");
        assertThat(ci.repositories()).extracting(RepositoryGlob::glob).containsExactly("samples/**");
        assertThat(ci.actions()).containsExactlyInAnyOrder(Action.PUSH, Action.DELETE);
        assertThat(ci.types()).containsExactly("helm-chart");
        assertThat(ci.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(ci.backoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(ci.maxBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(ci.maxRetries()).hasValue(50);
        EndpointConfig all = config.events().endpoints().get(1);
        assertThat(all.format()).isEqualTo(EventFormat.DISTRIBUTION);
        assertThat(all.timeout()).isEqualTo(EndpointConfig.DEFAULT_TIMEOUT);
        assertThat(all.maxRetries()).isEmpty();
        assertThat(config.scanners()).hasSize(1);
        assertThat(config.scanners().get(0).name()).isEqualTo("trivy");
        assertThat(config.scanners().get(0).types()).containsExactly("oci-image", "docker-image");
        assertThat(config.scanners().get(0).authorization()).contains("Basic dXNlcjpwYXNz");
        assertThat(config.scanners().get(0).registryUrl()).contains(URI.create("http://berth.internal:5000"));
    }

    @Test
    void pullEventsCanBeSwitchedOnFromTheEnvironmentAndAreOffByDefault() {
        ConfigLoader.Flags none = new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), Optional.empty());

        assertThat(ConfigLoader.load(none, Map.of()).events()).isEqualTo(EventsConfig.NONE);
        assertThat(ConfigLoader.load(none, Map.of("BERTH_EVENTS_PULL", "true")).events().pull()).isTrue();
    }

    @Test
    void everyMistakeInTheSectionsIsReportedWithItsPath() throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                events:
                  endpoints:
                    - name: a
                      url: ftp://nope
                      format: xml
                      actions: [push, poke]
                      timeoutMillis: soon
                      colour: blue
                    - name: b
                      url: http://ok/
                    - name: b
                      url: http://ok/
                scanners:
                  - name: s
                  - url: http://scanner/
                    name: has space
                """);

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dir),
                Optional.of(file)), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).anySatisfy(
                        p -> assertThat(p).contains("events.endpoints[0]", "format must be distribution or cloudevents"))
                        .anySatisfy(p -> assertThat(p).contains("events.endpoints[0].actions", "poke"))
                        .anySatisfy(p -> assertThat(p).contains("events.endpoints[0].timeoutMillis"))
                        .anySatisfy(p -> assertThat(p).contains("events.endpoints[0]", "unknown key 'colour'"))
                        .anySatisfy(p -> assertThat(p).contains("two event endpoints are named b"))
                        .anySatisfy(p -> assertThat(p).contains("scanners[0].url is required"))
                        .anySatisfy(p -> assertThat(p).contains("scanners[1]", "name must be")));
    }
}
