package io.berth.client.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.RegistryException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How references and file arguments are read, as docker and ORAS read them. */
class ArtifactRefTest {
    @ParameterizedTest
    @CsvSource({
            "localhost:5000/samples/helm/hello-world:1.0, localhost:5000, samples/helm/hello-world, 1.0",
            "127.0.0.1:5000/a/b@sha256:0000000000000000000000000000000000000000000000000000000000000000, 127.0.0.1:5000, a/b, sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "ghcr.io/org/repo, ghcr.io, org/repo, ",
            "localhost/repo:latest, localhost, repo, latest",
            "alpine:3.20, docker.io, library/alpine, 3.20",
            "user/app, docker.io, user/app, ",
            "registry.example:443/x/y/z:v1.2-rc, registry.example:443, x/y/z, v1.2-rc"})
    void parses(String text, String registry, String repository, String reference) {
        ArtifactRef ref = ArtifactRef.parse(text);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository().name()).isEqualTo(repository);
        assertThat(ref.reference().map(Object::toString)).isEqualTo(Optional.ofNullable(reference));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:5000/Upper/case:1", "localhost:5000/a:bad tag", "localhost:5000/a@sha256:short", "127.0.0.1:/a:1", "bad_host:5000/a:1"})
    void refusesMalformed(String text) {
        assertThatThrownBy(() -> ArtifactRef.parse(text)).isInstanceOf(RegistryException.class);
    }

    @ParameterizedTest
    @CsvSource({
            "chart.tgz:application/vnd.cncf.helm.chart.content.v1.tar+gzip, chart.tgz, application/vnd.cncf.helm.chart.content.v1.tar+gzip",
            "dir/file.json, dir/file.json, ",
            "C:notatype, C:notatype, ",
            "sbom.spdx.json:application/spdx+json, sbom.spdx.json, application/spdx+json"})
    void fileArgumentsTakeAnOptionalMediaType(String text, String path, String mediaType) {
        FileSpec file = FileSpec.parse(text);
        assertThat(file.path()).isEqualTo(Path.of(path));
        assertThat(file.mediaType()).isEqualTo(Optional.ofNullable(mediaType));
    }
}
