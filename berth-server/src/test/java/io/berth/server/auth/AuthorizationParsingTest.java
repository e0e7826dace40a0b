package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The nasty cases of {@link Credentials#parse} and {@link Scope#parseAll}, found with their fuzz test. */
class AuthorizationParsingTest {
    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of("", Credentials.None.class),
                Arguments.of("   ", Credentials.None.class),
                Arguments.of("Basic " + base64("alice:secret"), Credentials.Basic.class),
                Arguments.of("basic   " + base64("alice:"), Credentials.Basic.class),
                Arguments.of("Basic " + base64("no colon"), Credentials.Malformed.class),
                Arguments.of("Basic " + base64(":no user"), Credentials.Malformed.class),
                Arguments.of("Basic not*base64!", Credentials.Malformed.class),
                Arguments.of("Basic YWxpY2U6c2VjcmV0=", Credentials.Malformed.class),
                Arguments.of("Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, ':', 'x'}),
                        Credentials.Basic.class),
                Arguments.of("Basic", Credentials.Malformed.class),
                Arguments.of("Bearer", Credentials.Malformed.class),
                Arguments.of("Bearer    ", Credentials.Malformed.class),
                Arguments.of("Bearer a.b.c", Credentials.Bearer.class),
                Arguments.of("Digest x", Credentials.Malformed.class));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @MethodSource("headers")
    void everyAuthorizationHeaderIsOneOfTheKinds(String header, Class<? extends Credentials> kind) {
        assertThat(Credentials.parse(Optional.of(header))).isInstanceOf(kind);
    }

    /**
     * A name of a few thousand characters overflowed the stack in the repository grammar's nested repetitions, a
     * StackOverflowError on the token endpoint, until the fuzz test (issue #16); the length is now checked first.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a.", "a/", "a-", "a__"})
    void hugeRepositoryNamesAreLeftOutWithoutOverflowingTheStack(String repeated) {
        String name = repeated.repeat(20_000) + "a";
        assertThat(Scope.parseAll(List.of("repository:" + name + ":pull"))).isEmpty();
    }

    @ParameterizedTest(name = "\"{0}\" grants nothing")
    @ValueSource(strings = {"", " ", ":", "::", "repository", "repository:", "repository::pull", ":app:pull",
            "repository:Upper:pull", "repository:a//b:pull", "image:app:pull", "repository:app"})
    void malformedScopesAreLeftOut(String scope) {
        assertThat(Scope.parseAll(List.of(scope))).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void wellFormedScopesParseInOneParameterOrMany() {
        assertThat(Scope.parseAll(List.of(" repository:samples/app:pull,push  registry:catalog:* ", "repository:x:*")))
                .extracting(Scope::toString)
                .containsExactly("repository:samples/app:pull,push", "registry:catalog:*", "repository:x:pull,push,delete");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
