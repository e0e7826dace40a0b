package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * distribution-spec "Pulling manifests": {@code <name>} MUST match
 * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}.
 */
class RepositoryTest {

    @ParameterizedTest(name = "name matches the spec grammar: {0}")
    @ValueSource(strings = {
            "a",
            "0",
            "library/ubuntu",
            "a-b/c__d/e.f",
            "samples/helm/hello-world",
            "a---b",            // -+ allows a run of dashes
            "a_b",
            "a.b.c",
            "a/b/c/d/e/f/g",
            "blobs/manifests/tags/uploads",  // path words are legal components
            "v2",
            "123/456"})
    void nameMatchingTheGrammarIsValid(String name) {
        Repository repository = Repository.of(name);

        assertThat(repository.name()).isEqualTo(name);
        assertThat(repository).hasToString(name).isEqualTo(new Repository(name));
    }

    @ParameterizedTest(name = "name outside the spec grammar is NAME_INVALID: \"{0}\"")
    @ValueSource(strings = {
            "A",
            "Library/ubuntu",
            "library/Ubuntu",
            "-a",
            "a-",
            ".a",
            "a.",
            "_a",
            "a_",
            "/a",
            "a/",
            "a//b",
            "a/-b",
            "a/b.",
            "a..b",             // . is a single separator
            "a___b",            // only _ or __
            "a._b",             // one separator between components
            "a b",
            "a:b",
            "a@b",
            "_catalog",
            "a/../b",
            "ubuntu\n",
            "\u00fcbuntu"})
    void nameOutsideTheGrammarIsNameInvalid(String name) {
        assertNameInvalid(name);
    }

    @ParameterizedTest(name = "null or empty name is NAME_INVALID")
    @NullAndEmptySource
    void missingNameIsNameInvalid(String name) {
        assertNameInvalid(name);
    }

    static Stream<Arguments> lengths() {
        return Stream.of(Arguments.of(1, true), Arguments.of(254, true), Arguments.of(255, true),
                Arguments.of(256, false), Arguments.of(300, false), Arguments.of(100_000, false));
    }

    /** Implementers note: many clients limit host + "/" + name to 255 characters; Berth caps the name itself at 255. */
    @ParameterizedTest(name = "{0} characters valid: {1}")
    @MethodSource("lengths")
    void nameIsAtMost255Characters(int length, boolean valid) {
        String name = "a/".repeat(length / 2) + "a".repeat(length % 2 == 0 ? 0 : 1);
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1) + "b";
        }
        assertThat(name).hasSize(length);
        if (valid) {
            assertThat(Repository.of(name).name()).isEqualTo(name);
        } else {
            assertNameInvalid(name);
        }
    }

    @Test
    void longRunsOfSeparatorsAreRejectedQuickly() {
        // a name the grammar rejects only at its last character must not backtrack exponentially
        String name = "a" + "-".repeat(200) + "a".repeat(50) + "-";
        long start = System.nanoTime();
        assertNameInvalid(name);
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }

    @Test
    void repositoriesSortByName() {
        assertThat(Repository.of("a/b")).isLessThan(Repository.of("b"));
        assertThat(Repository.of("library/alpine")).isLessThan(Repository.of("library/ubuntu"));
    }

    private static void assertNameInvalid(String name) {
        assertThatThrownBy(() -> Repository.of(name))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
    }
}
