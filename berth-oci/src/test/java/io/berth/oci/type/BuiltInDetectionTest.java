package io.berth.oci.type;

import static io.berth.oci.type.TypeFixtures.REGISTRY;
import static io.berth.oci.type.TypeFixtures.REPOSITORY;
import static io.berth.oci.type.TypeFixtures.SIG_TAG;
import static io.berth.oci.type.TypeFixtures.SUBJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.oci.Manifest;
import io.berth.oci.Repository;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One real-shaped manifest per built-in type: detection, icon, platforms and the first rendered action, for
 * {@code registry.example:5000/team/wordpress} reached by the given tag ({@code -}: by digest).
 * {@code $DIGEST} is the fixture's digest, {@code $SUBJECT} the subject it signs, {@code $SIGTAG} cosign's tag for it.
 */
class BuiltInDetectionTest {
    static final String CASES = """
            oci-image                 | 1.0                    | oci-image               | -                                     | docker run --rm registry.example:5000/team/wordpress:1.0
            oci-image-index           | 1.0                    | oci-image-index         | linux/amd64 linux/arm64/v8            | docker run --rm registry.example:5000/team/wordpress:1.0
            docker-image              | 1.0                    | docker-image            | -                                     | docker run --rm registry.example:5000/team/wordpress:1.0
            docker-manifest-list      | 1.0                    | docker-manifest-list    | linux/amd64 windows/amd64             | docker run --rm registry.example:5000/team/wordpress:1.0
            docker-plugin             | 1.0                    | docker-plugin           | -                                     | docker plugin install registry.example:5000/team/wordpress:1.0
            source-container          | 1.0                    | source-container        | -                                     | skopeo copy docker://registry.example:5000/team/wordpress:1.0 dir:wordpress-sources
            soci-index                | -                      | soci-index              | -                                     | oras manifest fetch --pretty registry.example:5000/team/wordpress@$DIGEST
            buildkit-cache            | buildcache             | buildkit-cache          | -                                     | docker buildx build --cache-from type=registry,ref=registry.example:5000/team/wordpress:buildcache .
            sif                       | 1.0                    | sif                     | -                                     | apptainer pull oras://registry.example:5000/team/wordpress:1.0
            helm-chart                | 1.0                    | helm-chart              | -                                     | helm install wordpress oci://registry.example:5000/team/wordpress --version 1.0
            cnab-bundle               | 1.0                    | cnab-bundle             | -                                     | porter install wordpress --reference registry.example:5000/team/wordpress:1.0
            cnab-seed-corrected       | 1.0                    | cnab-bundle             | -                                     | porter install wordpress --reference registry.example:5000/team/wordpress:1.0
            arm-template              | 1.0                    | arm-template            | -                                     | oras pull registry.example:5000/team/wordpress:1.0
            arm-template-seed-config  | 1.0                    | arm-template            | -                                     | oras pull registry.example:5000/team/wordpress:1.0
            bicep-module              | 1.0                    | bicep-module            | -                                     | module mod 'br:registry.example:5000/team/wordpress:1.0' = { name: 'wordpress' }
            bicep-extension           | 1.0                    | bicep-extension         | -                                     | extension 'br:registry.example:5000/team/wordpress:1.0'
            ecs-task                  | 1.0                    | ecs-task                | -                                     | oras pull registry.example:5000/team/wordpress:1.0
            ecs-task-seed-config      | 1.0                    | ecs-task                | -                                     | oras pull registry.example:5000/team/wordpress:1.0
            docker-compose            | 1.0                    | docker-compose          | -                                     | docker compose -f oci://registry.example:5000/team/wordpress:1.0 up
            flux-artifact             | 1.0                    | flux-artifact           | -                                     | flux pull artifact oci://registry.example:5000/team/wordpress:1.0 --output ./wordpress
            timoni-module             | 1.0                    | timoni-module           | -                                     | timoni apply wordpress oci://registry.example:5000/team/wordpress --version 1.0
            zarf-package              | 1.0                    | zarf-package            | -                                     | zarf package deploy oci://registry.example:5000/team/wordpress:1.0
            opentofu-module           | 1.0                    | opentofu-module         | -                                     | source = "oci://registry.example:5000/team/wordpress?tag=1.0"
            opentofu-provider         | 5.80.0                 | opentofu-provider       | linux/amd64 darwin/arm64              | oras manifest fetch --pretty registry.example:5000/team/wordpress:5.80.0
            cue-module                | v0.3.1                 | cue-module              | -                                     | oras manifest fetch --pretty registry.example:5000/team/wordpress:v0.3.1
            devcontainer-feature      | 1.0                    | devcontainer-feature    | -                                     | "features": { "registry.example:5000/team/wordpress:1.0": {} }
            devcontainer-collection   | latest                 | devcontainer-collection | -                                     | oras pull registry.example:5000/team/wordpress:latest
            homebrew-bottle           | 1.25.0                 | homebrew-bottle         | darwin/arm64 darwin/amd64 linux/amd64 | HOMEBREW_ARTIFACT_DOMAIN=https://registry.example:5000 brew install wordpress
            homebrew-bottle-manifest  | 1.25.0.arm64_sequoia   | homebrew-bottle         | -                                     | HOMEBREW_ARTIFACT_DOMAIN=https://registry.example:5000 brew install wordpress
            cosign-signature          | $SIGTAG.sig            | cosign-signature        | -                                     | cosign verify --key cosign.pub registry.example:5000/team/wordpress@$SUBJECT
            cosign-signature-oci11    | -                      | cosign-signature        | -                                     | cosign verify --key cosign.pub registry.example:5000/team/wordpress@$SUBJECT
            cosign-attestation        | $SIGTAG.att            | cosign-attestation      | -                                     | cosign verify-attestation --key cosign.pub --type slsaprovenance registry.example:5000/team/wordpress@$SUBJECT
            cosign-sbom               | $SIGTAG.sbom           | cosign-sbom             | -                                     | cosign download sbom registry.example:5000/team/wordpress@$SUBJECT
            sigstore-bundle           | -                      | sigstore-bundle         | -                                     | gh attestation verify oci://registry.example:5000/team/wordpress@$SUBJECT --owner <owner>
            notation-signature        | -                      | notation-signature      | -                                     | notation verify registry.example:5000/team/wordpress@$SUBJECT
            spdx-sbom                 | -                      | spdx-sbom               | -                                     | oras pull registry.example:5000/team/wordpress@$DIGEST
            cyclonedx-sbom            | -                      | cyclonedx-sbom          | -                                     | oras pull registry.example:5000/team/wordpress@$DIGEST
            syft-sbom                 | -                      | syft-sbom               | -                                     | oras pull registry.example:5000/team/wordpress@$DIGEST
            harbor-sbom               | -                      | harbor-sbom             | -                                     | oras pull registry.example:5000/team/wordpress@$DIGEST
            in-toto                   | -                      | in-toto                 | -                                     | oras pull registry.example:5000/team/wordpress@$DIGEST
            buildkit-attestation      | -                      | buildkit-attestation    | -                                     | oras manifest fetch --pretty registry.example:5000/team/wordpress@$DIGEST
            openvex                   | -                      | openvex                 | -                                     | oras pull registry.example:5000/team/wordpress@$DIGEST
            opa-policy                | 1.0                    | opa-policy              | -                                     | conftest pull oci://registry.example:5000/team/wordpress:1.0
            kyverno-policy            | 1.0                    | kyverno-policy          | -                                     | kyverno oci pull -i registry.example:5000/team/wordpress:1.0 -d ./policies
            falco-artifact            | 3                      | falco-artifact          | -                                     | falcoctl artifact install registry.example:5000/team/wordpress:3
            trivy-db                  | 2                      | trivy-db                | -                                     | trivy image --db-repository registry.example:5000/team/wordpress <image>
            spin-app                  | 1.0                    | spin-app                | -                                     | spin up --from registry.example:5000/team/wordpress:1.0
            spin-app-config           | 1.0                    | spin-app                | -                                     | spin up --from registry.example:5000/team/wordpress:1.0
            wasm-module               | 1.0                    | wasm-module             | -                                     | wasm-to-oci pull registry.example:5000/team/wordpress:1.0 --out wordpress.wasm
            wasm-component            | 1.0                    | wasm-component          | -                                     | wkg oci pull registry.example:5000/team/wordpress:1.0 -o wordpress.wasm
            modelpack                 | 1.0                    | modelpack               | -                                     | modctl pull registry.example:5000/team/wordpress:1.0
            docker-model              | 1.0                    | docker-model            | -                                     | docker model run registry.example:5000/team/wordpress:1.0
            kitops-modelkit           | 1.0                    | kitops-modelkit         | -                                     | kit pull registry.example:5000/team/wordpress:1.0
            ollama-model              | 3b                     | ollama-model            | -                                     | ollama run registry.example:5000/team/wordpress:3b
            image-docs                | 1.0-docs               | image-docs              | -                                     | oras pull registry.example:5000/team/wordpress:1.0-docs
            artifacthub-metadata      | artifacthub.io         | artifacthub-metadata    | -                                     | oras pull registry.example:5000/team/wordpress:artifacthub.io
            oras-artifact             | 1.0                    | oras-artifact           | -                                     | oras pull registry.example:5000/team/wordpress:1.0
            oras-artifact-custom-type | 1.0                    | oras-artifact           | -                                     | oras pull registry.example:5000/team/wordpress:1.0
            oci-index                 | 1.0                    | oci-index               | -                                     | oras manifest fetch --pretty registry.example:5000/team/wordpress:1.0
            unknown                   | 1.0                    | unknown                 | -                                     | oras manifest fetch --pretty registry.example:5000/team/wordpress:1.0
            """;
    /** Types no fixture can reach through the parser; {@link DetectionOrderTest} builds their manifests. */
    static final Set<String> WITHOUT_FIXTURE = Set.of("docker-schema1");

    static Stream<Arguments> cases() {
        return TypeFixtures.table(CASES).stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} is {2}")
    @MethodSource("cases")
    void detectsTheTypeAndRendersItsActions(String fixture, String tag, String typeId, String platforms, String firstAction) {
        byte[] bytes = TypeFixtures.fixture(fixture);
        Manifest manifest = TypeFixtures.manifest(bytes);
        Digest digest = TypeFixtures.digest(bytes);
        String realTag = tag == null ? null : tag.replace("$SIGTAG", SIG_TAG);

        Detected detected = TypeCatalog.builtIn().detect(manifest);

        assertThat(detected.type().id()).isEqualTo(typeId);
        assertThat(detected.isUnknown()).isEqualTo(typeId.equals("unknown"));
        assertThat(detected.type().icon().svg()).isEqualTo(TypeFixtures.text("/io/berth/oci/type/icons/" + typeId + ".svg").strip());
        assertThat(detected.platforms()).containsExactlyElementsOf(platforms == null ? List.of() : List.of(platforms.split(" ")));
        List<ActionTemplate.Action> actions = detected.type()
                .actionsFor(Target.of(REGISTRY, Repository.of(REPOSITORY), realTag, digest, manifest));
        String expected = firstAction == null ? null
                : firstAction.replace("$DIGEST", digest.toString()).replace("$SUBJECT", SUBJECT);
        assertThat(actions.isEmpty() ? null : actions.get(0).command()).isEqualTo(expected);
    }

    @Test
    void everyBuiltInTypeHasAFixture() {
        Set<String> covered = TypeFixtures.table(CASES).stream().map(row -> (String) row[2]).collect(Collectors.toSet());
        covered.addAll(WITHOUT_FIXTURE);
        assertThat(covered).containsExactlyInAnyOrderElementsOf(
                TypeCatalog.builtIn().types().stream().map(ArtifactType::id).toList());
    }

    /**
     * For every fixture, the deciding rule is strictly stronger (earlier tier or more conditions) than any rule of
     * another type that also matches, so built-in detection never hangs on the order of builtin-types.json. The one
     * exception: a Spin app's wasm layers also fit wasm-to-oci's layer rule; spin-app comes first in the file.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void detectionDoesNotDependOnFileOrder(String fixture) {
        Manifest manifest = TypeFixtures.fixtureManifest(fixture);
        List<CatalogBuilder.Ranked> matching = TypeCatalog.builtIn().rules().stream()
                .filter(r -> r.rule().test(manifest)).toList();
        if (matching.isEmpty()) {
            return;
        }
        CatalogBuilder.Ranked winner = matching.get(0);
        Set<String> tied = matching.stream()
                .filter(r -> !r.typeId().equals(winner.typeId()))
                .filter(r -> r.rule().tier() == winner.rule().tier() && r.rule().all().size() == winner.rule().all().size())
                .map(CatalogBuilder.Ranked::typeId).collect(Collectors.toCollection(HashSet::new));
        if (winner.typeId().equals("spin-app")) {
            tied.remove("wasm-module");
        }
        assertThat(tied).as("types tied with %s", winner.typeId()).isEmpty();
    }

    @ParameterizedTest(name = "seed {0} is {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            container-image/mysql-index.json                   | oci-image-index | linux/amd64
            container-image/mysql-manifest-amd64.json          | oci-image       | -
            container-image/wordpress-index.json               | oci-image-index | linux/amd64 linux/arm/v5 linux/arm/v7 linux/arm64/v8 linux/386 linux/ppc64le
            container-image/wordpress-manifest-amd64.json      | oci-image       | -
            container-image/wordpress-manifest-linux.json      | oci-image       | -
            container-image-docs/wordpress-doc.manifest.json   | image-docs      | -
            container-image-docs/wordpress-manifest-linux.json | oci-image       | -
            helm/wordpress-doc.manifest.json                   | image-docs      | -
            helm/wordpress-manifest.json                       | helm-chart      | -
            """)
    void seedExamples(String file, String typeId, String platforms) {
        Detected detected = TypeCatalog.builtIn().detect(TypeFixtures.manifest(TypeFixtures.resource("/seed/" + file)));

        assertThat(detected.type().id()).isEqualTo(typeId);
        assertThat(detected.platforms()).containsExactlyElementsOf(
                platforms == null ? List.of() : Arrays.asList(platforms.split(" ")));
    }
}
