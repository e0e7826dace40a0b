package io.berth.client.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code WWW-Authenticate} headers as registries send them, and what is read from them. */
class ChallengeTest {
    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"",
                        "Bearer", Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                                "scope", "repository:library/alpine:pull")),
                Arguments.of("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:a/b:pull,push\"",
                        "Bearer", Map.of("realm", "https://ghcr.io/token", "service", "ghcr.io", "scope", "repository:a/b:pull,push")),
                Arguments.of("bearer realm=https://h/t, service=h", "bearer", Map.of("realm", "https://h/t", "service", "h")),
                Arguments.of("Basic realm=\"Registry Realm\"", "Basic", Map.of("realm", "Registry Realm")),
                Arguments.of("Bearer realm=\"a \\\"quoted\\\" realm\"", "Bearer", Map.of("realm", "a \"quoted\" realm")),
                Arguments.of("Bearer realm=\"https://h/t\", Basic realm=\"x\"", "Bearer", Map.of("realm", "https://h/t")),
                Arguments.of("Basic", "Basic", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("headers")
    void parses(String header, String scheme, Map<String, String> parameters) {
        Challenge challenge = Challenge.parse(header).orElseThrow();
        assertThat(challenge.scheme()).isEqualTo(scheme);
        assertThat(challenge.parameters()).isEqualTo(parameters);
    }

    @ParameterizedTest
    @MethodSource("blank")
    void blankHeadersAreNoChallenge(String header) {
        assertThat(Challenge.parse(header)).isEqualTo(Optional.empty());
    }

    static Stream<String> blank() {
        return Stream.of("", "   ", null);
    }
}
