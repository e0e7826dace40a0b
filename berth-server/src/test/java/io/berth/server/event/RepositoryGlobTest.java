package io.berth.server.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Repository;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepositoryGlobTest {
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
            "samples/**, samples/helm/hello-world, true",
            "samples/**, samples/app, true",
            "samples/**, samples, false",
            "samples/**, other/samples/app, false",
            "samples/*, samples/app, true",
            "samples/*, samples/helm/hello-world, false",
            "**/hello-world, hello-world, true",
            "**/hello-world, samples/helm/hello-world, true",
            "**/hello-world, samples/helm/hello-world2, false",
            "team-?/app, team-a/app, true",
            "team-?/app, team-ab/app, false",
            "team-?/app, team/app, false",
            "*, app, true",
            "*, team/app, false",
            "**, team/app, true",
            "a.b/c, a.b/c, true",
            "a.b/c, axb/c, false",
            "samples/**/charts, samples/x/y/charts, true",
    })
    void matchesRepositoryNames(String glob, String repository, boolean matches) {
        assertThat(RepositoryGlob.of(glob).matches(Repository.of(repository))).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({"''", "' '"})
    void anEmptyPatternIsRefused(String glob) {
        assertThatThrownBy(() -> RepositoryGlob.of(glob)).isInstanceOf(IllegalArgumentException.class);
    }
}
