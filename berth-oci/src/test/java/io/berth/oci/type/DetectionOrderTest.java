package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Manifest;
import io.berth.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The documented order: artifactType beats config.mediaType beats layers and annotations beats the manifest's media
 * type and an index's children; within a tier more conditions win. Plus the edges: unknown types, attestation
 * entries in indexes, legacy manifests.
 */
class DetectionOrderTest {
    static final String D1 = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
    static final String D2 = "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0";
    static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    static final String SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    final TypeCatalog catalog = TypeCatalog.builtIn();

    /** An OCI manifest; {@code artifactType} may be null. */
    static Manifest image(String artifactType, String configMediaType, String... layerMediaTypes) {
        StringBuilder layers = new StringBuilder();
        for (String layer : layerMediaTypes) {
            layers.append(layers.isEmpty() ? "" : ",").append("{'mediaType':'").append(layer)
                    .append("','digest':'" + D2 + "','size':10}");
        }
        String json = "{'schemaVersion':2,'mediaType':'" + MediaTypes.OCI_MANIFEST + "',"
                + (artifactType == null ? "" : "'artifactType':'" + artifactType + "',")
                + "'config':{'mediaType':'" + configMediaType + "','digest':'" + D1 + "','size':2},"
                + "'layers':[" + layers + "]}";
        return TypeFixtures.manifest(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static Manifest index(String annotations, String... children) {
        String json = "{'schemaVersion':2,'mediaType':'" + MediaTypes.OCI_INDEX + "','manifests':["
                + String.join(",", children) + "]" + (annotations == null ? "" : ",'annotations':" + annotations) + "}";
        return TypeFixtures.manifest(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static String child(String platform, String annotations) {
        String[] p = platform == null ? null : platform.split("/");
        return "{'mediaType':'" + MediaTypes.OCI_MANIFEST + "','digest':'" + D1 + "','size':500"
                + (p == null ? "" : ",'platform':{'os':'" + p[0] + "','architecture':'" + p[1] + "'"
                + (p.length > 2 ? ",'variant':'" + p[2] + "'" : "") + "}")
                + (annotations == null ? "" : ",'annotations':" + annotations) + "}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            artifactType beats config                     | application/spdx+json                | application/vnd.cncf.helm.config.v1+json | application/vnd.dev.cosign.simplesigning.v1+json | spdx-sbom
            config beats layers                           | -                                    | application/vnd.cncf.helm.config.v1+json | application/vnd.dev.cosign.simplesigning.v1+json | helm-chart
            config beats layers (CNAB with ARM layers)     | -                                    | application/vnd.deislabs.cnab.config.v1+json | application/vnd.microsoft.arm.template.v1+json | cnab-bundle
            a layer decides when the config is unknown    | -                                    | application/vnd.acme.config.v1+json      | application/vnd.dev.cosign.simplesigning.v1+json | cosign-signature
            more conditions win within the config tier    | -                                    | application/vnd.oci.image.config.v1+json | application/vnd.dev.cosign.simplesigning.v1+json | cosign-signature
            plain image config and layers                 | -                                    | application/vnd.oci.image.config.v1+json | application/vnd.oci.image.layer.v1.tar+gzip     | oci-image
            an unclaimed artifactType falls to the config | application/vnd.acme.rocket.v1       | application/vnd.oci.image.config.v1+json | application/vnd.oci.image.layer.v1.tar+gzip     | oci-image
            an unclaimed artifactType on an empty config  | application/vnd.acme.rocket.v1       | application/vnd.oci.empty.v1+json        | application/vnd.acme.rocket.plan.v1               | oras-artifact
            nothing known                                 | -                                    | application/vnd.acme.config.v1+json      | application/vnd.acme.layer.v1                     | unknown
            """)
    void manifestTiers(String why, String artifactType, String config, String layer, String expected) {
        assertThat(catalog.detect(image(artifactType, config, layer)).type().id()).isEqualTo(expected);
    }

    @Test
    void annotationsOnAnIndexBeatItsChildren() {
        Manifest bottles = index("{'com.github.package.type':'homebrew_bottle'}",
                child("darwin/arm64", null), child("linux/amd64", null));

        Detected detected = catalog.detect(bottles);

        assertThat(detected.type().id()).isEqualTo("homebrew-bottle");
        assertThat(detected.platforms()).containsExactly("darwin/arm64", "linux/amd64");
    }

    @Test
    void anArtifactTypeOnAnIndexBeatsItsChildren() {
        String json = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "artifactType": "application/vnd.opentofu.provider",
                 "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1,
                   "digest": "%s", "platform": {"os": "linux", "architecture": "amd64"}}]}""".formatted(D1);

        assertThat(catalog.detect(TypeFixtures.manifest(json.getBytes(StandardCharsets.UTF_8))).type().id())
                .isEqualTo("opentofu-provider");
    }

    @Test
    void buildKitAttestationEntriesAreNeitherPlatformsNorNonImages() {
        String attestation = "{'vnd.docker.reference.type':'attestation-manifest','vnd.docker.reference.digest':'" + D1 + "'}";
        Manifest withAttestations = index(null, child("linux/amd64", null), child("linux/arm/v7", null),
                child("unknown/unknown", attestation), child("unknown/unknown", attestation));
        // BuildKit always writes unknown/unknown, but the annotation alone is enough
        Manifest annotatedOnly = index(null, child("linux/amd64", null), child("linux/amd64", attestation));

        assertThat(catalog.detect(withAttestations).type().id()).isEqualTo("oci-image-index");
        assertThat(catalog.detect(withAttestations).platforms()).containsExactly("linux/amd64", "linux/arm/v7");
        assertThat(catalog.detect(annotatedOnly).type().id()).isEqualTo("oci-image-index");
        assertThat(catalog.detect(annotatedOnly).platforms()).containsExactly("linux/amd64");
    }

    @Test
    void anIndexWithoutPlatformImagesIsAnIndexOfArtifacts() {
        assertThat(catalog.detect(index(null, child(null, null), child("linux/amd64", null))).type().id())
                .isEqualTo("oci-index");
        assertThat(catalog.detect(index(null, child("unknown/unknown", null))).type().id()).isEqualTo("oci-index");
        assertThat(catalog.detect(index(null)).type().id()).isEqualTo("oci-index");
    }

    @Test
    void theAttestationManifestItselfIsRecognizedByItsLayers() {
        Manifest bare = image(null, MediaTypes.OCI_CONFIG, "application/vnd.in-toto+json");

        assertThat(catalog.detect(bare).type().id()).isEqualTo("buildkit-attestation");
    }

    @Test
    void unknownListsTheMediaTypesInDetectionOrder() {
        Manifest rocket = image("application/vnd.acme.rocket.v1", "application/vnd.acme.config.v1+json",
                "application/vnd.acme.layer.v1", "application/vnd.acme.layer.v1", "application/vnd.acme.other.v1");

        Detected detected = catalog.detect(rocket);

        assertThat(detected.type().id()).isEqualTo(ArtifactType.UNKNOWN);
        assertThat(detected.isUnknown()).isTrue();
        assertThat(detected.matchedBy()).isEmpty();
        assertThat(detected.mediaTypes()).containsExactly("application/vnd.acme.rocket.v1",
                "application/vnd.acme.config.v1+json", "application/vnd.acme.layer.v1", "application/vnd.acme.other.v1",
                MediaTypes.OCI_MANIFEST);
        assertThat(detected.type().icon().svg()).contains("viewBox");
    }

    @Test
    void aManifestWithoutLayersOrAnnotationsIsNoProblem() {
        assertThat(catalog.detect(image(null, "application/vnd.acme.config.v1+json")).type().id()).isEqualTo("unknown");
        assertThat(catalog.detect(image(null, HELM_CONFIG)).type().id()).isEqualTo("helm-chart");
    }

    @Test
    void detectionIsDeterministic() {
        Manifest manifest = TypeFixtures.fixtureManifest("spin-app");
        Detected first = catalog.detect(manifest);

        for (int i = 0; i < 20; i++) {
            assertThat(TypeCatalog.loadSources(List.of()).catalog().detect(manifest)).isEqualTo(first);
        }
    }

    @Test
    void legacySchema1IsTypedFromItsMediaType() {
        // the parser refuses schema 1, but a Manifest can still come from storage written by other software
        Manifest schema1 = new Manifest(MediaTypes.DOCKER_SCHEMA1_SIGNED, Optional.empty(), Optional.empty(), List.of(),
                List.of(), Optional.empty(), Map.of());

        assertThat(catalog.detect(schema1).type().id()).isEqualTo("docker-schema1");
    }

    @Test
    void anIndexIsTypedFromDescriptorsOnly() {
        Descriptor child = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(D1), 1, Optional.empty(), Map.of(),
                Optional.of(new Descriptor.Platform("linux", "s390x", Optional.empty(), Optional.empty())), List.of());
        Manifest index = new Manifest(MediaTypes.OCI_INDEX, Optional.empty(), Optional.empty(), List.of(),
                List.of(child), Optional.empty(), Map.of());

        Detected detected = catalog.detect(index);

        assertThat(detected.type().id()).isEqualTo("oci-image-index");
        assertThat(detected.matchedBy()).get().extracting(Rule::tier).isEqualTo(Match.Tier.MANIFEST);
        assertThat(detected.platforms()).containsExactly("linux/s390x");
    }
}
