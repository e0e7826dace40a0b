package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * image-spec manifest.md, image-index.md and descriptor.md; distribution-spec "Pushing Manifests" for the
 * Content-Type rules; Docker Image Manifest V2 Schema 2 and manifest list.
 */
class ManifestParserTest {
    static final String D1 = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
    static final String D2 = "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0";
    static final String D3 = "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b";
    /** sha256 of the two bytes {@code {}}: the empty descriptor of image-spec "Guidance for an Empty Descriptor". */
    static final String EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    static final String SHA512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

    static final String OCI_MANIFEST = MediaTypes.OCI_MANIFEST;
    static final String OCI_INDEX = MediaTypes.OCI_INDEX;
    static final String DOCKER_MANIFEST = MediaTypes.DOCKER_MANIFEST;
    static final String DOCKER_LIST = MediaTypes.DOCKER_MANIFEST_LIST;

    static final String CONFIG = "{'mediaType': '$OCI_CONFIG', 'digest': '$D1', 'size': 7023}";
    static final String LAYER = "{'mediaType': '$LAYER_GZIP', 'digest': '$D2', 'size': 32654}";
    static final String CHILD = "{'mediaType': '$OCI_MANIFEST', 'digest': '$D1', 'size': 7682}";
    /** A valid OCI image manifest; cases below edit it. Single quotes and {@code $NAME} placeholders: see {@link #json}. */
    static final String IMAGE = "{'schemaVersion': 2, 'mediaType': '$OCI_MANIFEST', 'config': " + CONFIG
            + ", 'layers': [" + LAYER + "]}";
    /** A valid OCI image index; cases below edit it. */
    static final String INDEX = "{'schemaVersion': 2, 'mediaType': '$OCI_INDEX', 'manifests': [" + CHILD + "]}";

    // ---------------------------------------------------------------------------------------------------------------
    // Seed examples (test resources copied from /work/shared/reference/seed, MIT, see seed/LICENSE)

    @ParameterizedTest(name = "seed {0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            container-image/mysql-index.json                 | index    | -                                       | 0  | linux/amd64
            container-image/mysql-manifest-amd64.json        | manifest | application/vnd.oci.image.config.v1+json | 12 | -
            container-image/wordpress-index.json             | index    | -                                       | 0  | linux/amd64 linux/arm/v5 linux/arm/v7 linux/arm64/v8 linux/386 linux/ppc64le
            container-image/wordpress-manifest-amd64.json    | manifest | application/vnd.oci.image.config.v1+json | 19 | -
            container-image/wordpress-manifest-linux.json    | manifest | application/vnd.oci.image.config.v1+json | 20 | -
            container-image-docs/wordpress-doc.manifest.json | manifest | application/vnd.oci.doc.config.v1+json   | 1  | -
            container-image-docs/wordpress-manifest-linux.json | manifest | application/vnd.oci.image.config.v1+json | 20 | -
            helm/wordpress-doc.manifest.json                 | manifest | application/vnd.oci.doc.config.v1+json   | 1  | -
            helm/wordpress-manifest.json                     | manifest | application/vnd.cncf.helm.config.v3+json | 2  | -
            """)
    void seedExampleParses(String file, String kind, String configMediaType, int layers, String platforms) {
        byte[] bytes = seed(file);
        String contentType = kind.equals("index") ? OCI_INDEX : OCI_MANIFEST;

        Manifest manifest = ManifestParser.parse(bytes, contentType);

        assertThat(manifest.mediaType()).isEqualTo(contentType);
        assertThat(manifest.isIndex()).isEqualTo(kind.equals("index"));
        assertThat(manifest.config().map(Descriptor::mediaType).orElse(null)).isEqualTo(configMediaType);
        assertThat(manifest.layers()).hasSize(layers);
        assertThat(manifest.effectiveArtifactType()).isEqualTo(Optional.ofNullable(configMediaType));
        if (platforms == null) {
            assertThat(manifest.manifests()).isEmpty();
        } else {
            assertThat(manifest.manifests()).extracting(d -> d.platform().map(Object::toString).orElse("-"))
                    .containsExactly(platforms.split(" "));
            assertThat(manifest.manifests()).allSatisfy(d -> assertThat(d.mediaType()).isEqualTo(OCI_MANIFEST));
        }
        // the same bytes without a Content-Type: the body's mediaType decides
        assertThat(ManifestParser.parse(bytes, null)).isEqualTo(manifest);
    }

    @Test
    void seedHelmManifestKeepsConfigAnnotationsAndLayerTypes() {
        Manifest manifest = ManifestParser.parse(seed("helm/wordpress-manifest.json"), OCI_MANIFEST);

        assertThat(manifest.config().orElseThrow().annotations()).containsExactly(Map.entry("io.cncf.helm.appVersion", "0.1.0"));
        assertThat(manifest.layers()).extracting(Descriptor::mediaType).containsExactly(
                "application/vnd.cncf.helm.chart.layer.v3.tar+gzip", "application/vnd.cncf.helm.values.layer.v3+tar");
        assertThat(manifest.blobs()).extracting(Descriptor::size).containsExactly(7023L, 3155L, 3155L);
    }

    /**
     * Three seed files are illustrative drafts that do not follow the image-spec: two indexes carry placeholder
     * digests ({@code sha256:82qga5…} has 63 characters including {@code q} and {@code g}; {@code sha256:aasd…} has 65
     * including {@code s}), and the CNAB draft wraps its config descriptor in a {@code manifests} array. "When the
     * algorithm identifier is sha256, the encoded portion MUST match /[a-f0-9]{64}/" and config "references a
     * configuration object … by digest" as a descriptor, so a registry must refuse them.
     */
    @ParameterizedTest(name = "seed {0} is refused: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            container-image-docs/wordpress-index.json | manifests[0].digest
            helm/wordpress-index.json                 | manifests[0].digest
            cnab/wordpress-cnab-manifest.json         | config.mediaType must be a non-empty string
            """)
    void seedDraftThatBreaksTheSpecIsManifestInvalid(String file, String reason) {
        assertManifestInvalid(seed(file), null, reason);
    }

    @Test
    void seedDocsIndexParsesOnceItsPlaceholderDigestsAreReal() {
        String text = new String(seed("container-image-docs/wordpress-index.json"), StandardCharsets.UTF_8)
                .replace("sha256:82qga5d6204131069af3e4f00dc1d3758d517a5edb29e5757d3c2858d563432", D1)
                .replace("sha256:aasd8215d624131069af3e4f00dc1d3758d517a5edb29e5757d3c2858d5611821", D2);

        Manifest index = parse(text, OCI_INDEX);

        assertThat(index.manifests()).extracting(Descriptor::digest, Descriptor::size)
                .containsExactly(tuple(Digest.parse(D1), 4288L),
                        tuple(Digest.parse(D2), 1200L));
        assertThat(index.manifests()).extracting(d -> d.platform().map(Object::toString))
                .containsExactly(Optional.of("linux/amd64"), Optional.empty());
    }

    @Test
    void seedCnabManifestParsesOnceItsConfigIsADescriptor() {
        String text = new String(seed("cnab/wordpress-cnab-manifest.json"), StandardCharsets.UTF_8)
                .replaceFirst("(?s)\"config\": \\{\\s*\"manifests\": \\[\\s*(\\{[^}]*})\\s*]\\s*}", "\"config\": $1");

        Manifest manifest = parse(text, OCI_MANIFEST);

        assertThat(manifest.config().orElseThrow().mediaType()).isEqualTo("application/vnd.deislabs.cnab.config.v1+json");
        assertThat(manifest.layers()).extracting(Descriptor::mediaType).containsExactly(OCI_INDEX, OCI_MANIFEST,
                "application/vnd.microsoft.arm.template.v1+json", "application/vnd.aws.ecs.task.v1+json",
                "application/vnd.deislabs.cnab.component.v1.tar+gzip");
    }

    @Test
    void everySeedFileIsCovered() throws IOException, URISyntaxException {
        Path root = Path.of(ManifestParserTest.class.getResource("/seed").toURI());
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(p -> p.toString().endsWith(".json")).map(p -> root.relativize(p).toString()))
                    .containsExactlyInAnyOrder(
                            "container-image/mysql-index.json", "container-image/mysql-manifest-amd64.json",
                            "container-image/wordpress-index.json", "container-image/wordpress-manifest-amd64.json",
                            "container-image/wordpress-manifest-linux.json",
                            "container-image-docs/wordpress-doc.manifest.json",
                            "container-image-docs/wordpress-index.json",
                            "container-image-docs/wordpress-manifest-linux.json",
                            "helm/wordpress-doc.manifest.json", "helm/wordpress-index.json",
                            "helm/wordpress-manifest.json", "cnab/wordpress-cnab-manifest.json");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // OCI image manifest, artifacts, index

    @Test
    void imageManifestExposesConfigAndLayersInOrder() {
        Manifest manifest = parse("""
                {'schemaVersion': 2, 'mediaType': '$OCI_MANIFEST', 'config': $CONFIG,
                 'layers': [$LAYER, {'mediaType': 'application/vnd.oci.image.layer.v1.tar+zstd', 'digest': '$D3', 'size': 16724}],
                 'annotations': {'org.opencontainers.image.created': '2024-01-01T00:00:00Z'}}""", OCI_MANIFEST);

        assertThat(manifest.isIndex()).isFalse();
        assertThat(manifest.config()).contains(Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 7023));
        assertThat(manifest.layers()).extracting(Descriptor::digest).containsExactly(Digest.parse(D2), Digest.parse(D3));
        assertThat(manifest.blobs()).extracting(Descriptor::digest)
                .containsExactly(Digest.parse(D1), Digest.parse(D2), Digest.parse(D3));
        assertThat(manifest.manifests()).isEmpty();
        assertThat(manifest.subject()).isEmpty();
        assertThat(manifest.artifactType()).isEmpty();
        assertThat(manifest.effectiveArtifactType()).contains(MediaTypes.OCI_CONFIG);
        assertThat(manifest.annotations()).containsExactly(Map.entry("org.opencontainers.image.created", "2024-01-01T00:00:00Z"));
    }

    /** image-spec "Guidelines for Artifact Usage": artifactType set, empty config, subject for the referrers API. */
    @Test
    void artifactManifestWithArtifactTypeAndSubject() {
        Manifest manifest = parse("""
                {'schemaVersion': 2, 'mediaType': '$OCI_MANIFEST', 'artifactType': 'application/vnd.example.sbom.v1',
                 'config': {'mediaType': 'application/vnd.oci.empty.v1+json', 'digest': '$EMPTY', 'size': 2, 'data': 'e30='},
                 'layers': [{'mediaType': 'application/spdx+json', 'digest': '$D2', 'size': 1234,
                             'annotations': {'org.opencontainers.image.title': 'sbom.spdx.json'}}],
                 'subject': {'mediaType': '$OCI_MANIFEST', 'digest': '$D3', 'size': 7682},
                 'annotations': {'org.opencontainers.image.created': '2024-01-01T00:00:00Z'}}""", OCI_MANIFEST);

        assertThat(manifest.artifactType()).contains("application/vnd.example.sbom.v1");
        assertThat(manifest.effectiveArtifactType()).contains("application/vnd.example.sbom.v1");
        assertThat(manifest.config()).contains(Descriptor.of(MediaTypes.OCI_EMPTY, Digest.parse(EMPTY), 2));
        assertThat(manifest.subject()).contains(Descriptor.of(OCI_MANIFEST, Digest.parse(D3), 7682));
        assertThat(manifest.layers()).singleElement().satisfies(layer -> {
            assertThat(layer.mediaType()).isEqualTo("application/spdx+json");
            assertThat(layer.annotations()).containsEntry("org.opencontainers.image.title", "sbom.spdx.json");
        });
    }

    @Test
    void artifactManifestWithoutLayersHasNoLayers() {
        // "For portability, layers SHOULD have at least one entry": a SHOULD, so an absent list is accepted
        Manifest manifest = parse("""
                {'schemaVersion': 2, 'mediaType': '$OCI_MANIFEST', 'artifactType': 'application/vnd.example+type',
                 'config': {'mediaType': 'application/vnd.oci.empty.v1+json', 'digest': '$EMPTY', 'size': 2}}""", OCI_MANIFEST);

        assertThat(manifest.layers()).isEmpty();
        assertThat(manifest.blobs()).extracting(Descriptor::digest).containsExactly(Digest.parse(EMPTY));
    }

    @Test
    void indexWithArtifactTypeSubjectAndPlatforms() {
        Manifest index = parse("""
                {'schemaVersion': 2, 'mediaType': '$OCI_INDEX', 'artifactType': 'application/vnd.example.bundle.v1',
                 'manifests': [
                   {'mediaType': '$OCI_MANIFEST', 'digest': '$D1', 'size': 7143,
                    'platform': {'architecture': 'ppc64le', 'os': 'linux'}},
                   {'mediaType': '$OCI_MANIFEST', 'digest': '$D2', 'size': 7682,
                    'platform': {'architecture': 'amd64', 'os': 'windows', 'os.version': '10.0.14393.1066',
                                 'os.features': ['win32k']}},
                   {'mediaType': '$OCI_INDEX', 'digest': '$D3', 'size': 100, 'artifactType': 'application/vnd.example.sig'},
                   {'mediaType': 'application/vnd.example.future.manifest.v2+json', 'digest': '$SHA512', 'size': 1,
                    'urls': ['https://example.com/example-manifest'], 'annotations': {'a': 'b'}}],
                 'subject': {'mediaType': '$OCI_MANIFEST', 'digest': '$D3', 'size': 7682},
                 'annotations': {'com.example.key1': 'value1'}}""", OCI_INDEX);

        assertThat(index.isIndex()).isTrue();
        assertThat(index.artifactType()).contains("application/vnd.example.bundle.v1");
        assertThat(index.effectiveArtifactType()).contains("application/vnd.example.bundle.v1");
        assertThat(index.config()).isEmpty();
        assertThat(index.layers()).isEmpty();
        assertThat(index.blobs()).isEmpty();
        assertThat(index.subject()).map(Descriptor::digest).contains(Digest.parse(D3));
        assertThat(index.annotations()).containsExactly(Map.entry("com.example.key1", "value1"));
        assertThat(index.manifests()).hasSize(4);
        assertThat(index.manifests().get(0).platform()).contains(
                new Descriptor.Platform("linux", "ppc64le", Optional.empty(), Optional.empty()));
        assertThat(index.manifests().get(1).platform()).contains(
                new Descriptor.Platform("windows", "amd64", Optional.empty(), Optional.of("10.0.14393.1066")));
        assertThat(index.manifests().get(2).artifactType()).contains("application/vnd.example.sig");
        assertThat(index.manifests().get(3).digest().algorithm()).isEqualTo(Digest.Algorithm.SHA512);
        assertThat(index.manifests().get(3).urls()).containsExactly("https://example.com/example-manifest");
        assertThat(index.manifests().get(3).annotations()).containsExactly(Map.entry("a", "b"));
    }

    @Test
    void indexMayListNoManifests() {
        // "While this property MUST be present, the size of the array MAY be zero."
        Manifest index = parse("{'schemaVersion': 2, 'mediaType': '$OCI_INDEX', 'manifests': []}", OCI_INDEX);

        assertThat(index.isIndex()).isTrue();
        assertThat(index.manifests()).isEmpty();
        assertThat(index.effectiveArtifactType()).isEmpty();
    }

    @Test
    void unknownFieldsAndMediaTypesAreAccepted() {
        // "Implementations storing or copying image manifests MUST NOT error on encountering a value that is unknown"
        Manifest manifest = parse("""
                {'schemaVersion': 2, 'mediaType': '$OCI_MANIFEST', 'x-extension': {'nested': [1, 2, 3]},
                 'config': {'mediaType': 'application/vnd.unknown.config.v1+json', 'digest': '$D1', 'size': 0},
                 'layers': [{'mediaType': 'application/vnd.unknown.layer', 'digest': '$D2', 'size': 9223372036854775807,
                             'x-extension': true}]}""", OCI_MANIFEST);

        assertThat(manifest.config().orElseThrow().mediaType()).isEqualTo("application/vnd.unknown.config.v1+json");
        assertThat(manifest.config().orElseThrow().size()).isZero();
        assertThat(manifest.layers().get(0).size()).isEqualTo(Long.MAX_VALUE);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Docker Image Manifest V2 Schema 2 and manifest list

    @Test
    void dockerSchema2Manifest() {
        Manifest manifest = parse("""
                {'schemaVersion': 2, 'mediaType': '$DOCKER_MANIFEST',
                 'config': {'mediaType': 'application/vnd.docker.container.image.v1+json', 'size': 7023, 'digest': '$D1'},
                 'layers': [
                   {'mediaType': 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'size': 32654, 'digest': '$D2'},
                   {'mediaType': 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'size': 16724, 'digest': '$D3',
                    'urls': ['https://mcr.microsoft.com/v2/windows/servercore/blobs/$D3']}]}""", DOCKER_MANIFEST);

        assertThat(manifest.mediaType()).isEqualTo(DOCKER_MANIFEST);
        assertThat(manifest.isIndex()).isFalse();
        assertThat(manifest.config().orElseThrow().mediaType()).isEqualTo("application/vnd.docker.container.image.v1+json");
        assertThat(manifest.layers()).hasSize(2);
        assertThat(manifest.layers().get(1).urls()).hasSize(1);
        assertThat(manifest.effectiveArtifactType()).contains("application/vnd.docker.container.image.v1+json");
    }

    @Test
    void dockerManifestList() {
        Manifest list = parse("""
                {'schemaVersion': 2, 'mediaType': '$DOCKER_LIST',
                 'manifests': [
                   {'mediaType': '$DOCKER_MANIFEST', 'size': 7143, 'digest': '$D1',
                    'platform': {'architecture': 'ppc64le', 'os': 'linux'}},
                   {'mediaType': '$DOCKER_MANIFEST', 'size': 7682, 'digest': '$D2',
                    'platform': {'architecture': 'arm', 'os': 'linux', 'variant': 'v7', 'features': ['sse4']}},
                   {'mediaType': '$DOCKER_MANIFEST', 'size': 7682, 'digest': '$D3',
                    'platform': {'architecture': 'amd64', 'os': 'windows', 'os.version': '10.0.17763.1879'}}]}""", DOCKER_LIST);

        assertThat(list.mediaType()).isEqualTo(DOCKER_LIST);
        assertThat(list.isIndex()).isTrue();
        assertThat(list.config()).isEmpty();
        assertThat(list.manifests()).extracting(d -> d.platform().orElseThrow().toString())
                .containsExactly("linux/ppc64le", "linux/arm/v7", "windows/amd64");
        assertThat(list.manifests().get(2).platform().orElseThrow().osVersion()).contains("10.0.17763.1879");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Content-Type

    @ParameterizedTest(name = "body without mediaType takes Content-Type \"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            application/vnd.oci.image.manifest.v1+json                   | application/vnd.oci.image.manifest.v1+json
            application/vnd.oci.image.manifest.v1+json; charset=utf-8    | application/vnd.oci.image.manifest.v1+json
            application/vnd.oci.image.manifest.v1+json;charset=UTF-8     | application/vnd.oci.image.manifest.v1+json
            '  Application/VND.OCI.Image.Manifest.v1+JSON ; q=1 '         | application/vnd.oci.image.manifest.v1+json
            """)
    void bodyWithoutMediaTypeTakesTheContentTypeWithoutParameters(String contentType, String expected) {
        // "The registry SHOULD ignore parameters on the Content-Type header."
        Manifest manifest = parse("{'schemaVersion': 2, 'config': $CONFIG, 'layers': [$LAYER]}", contentType);

        assertThat(manifest.mediaType()).isEqualTo(expected);
        assertThat(manifest.layers()).hasSize(1);
    }

    @ParameterizedTest(name = "index without mediaType takes Content-Type \"{0}\"")
    @ValueSource(strings = {OCI_INDEX, OCI_INDEX + "; charset=utf-8"})
    void indexWithoutMediaTypeTakesTheContentType(String contentType) {
        Manifest index = parse("{'schemaVersion': 2, 'manifests': [$CHILD]}", contentType);

        assertThat(index.mediaType()).isEqualTo(OCI_INDEX);
        assertThat(index.isIndex()).isTrue();
        assertThat(index.manifests()).hasSize(1);
    }

    @ParameterizedTest(name = "body mediaType with Content-Type \"{0}\"")
    @NullSource
    @ValueSource(strings = {"", OCI_MANIFEST, OCI_MANIFEST + "; charset=utf-8", "application/json",
            "application/json; charset=utf-8"})
    void bodyMediaTypeMatchingOrMissingOrGenericContentTypeIsAccepted(String contentType) {
        assertThat(parse(IMAGE, contentType).mediaType()).isEqualTo(OCI_MANIFEST);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Rejections: every one is MANIFEST_INVALID

    static Stream<Arguments> invalidManifests() {
        return Stream.of(
                // JSON
                invalid("malformed JSON", "{'schemaVersion': 2,", OCI_MANIFEST, "malformed JSON"),
                invalid("unquoted key", "{schemaVersion: 2}", OCI_MANIFEST, "malformed JSON"),
                invalid("trailing comma", IMAGE.replace("]}", "],}"), OCI_MANIFEST, "malformed JSON"),
                invalid("trailing garbage after the JSON", IMAGE + " x", OCI_MANIFEST, "malformed JSON"),
                invalid("second JSON value after the JSON", IMAGE + "{}", OCI_MANIFEST, "exactly one JSON value"),
                invalid("trailing bracket after the JSON", IMAGE + "]", OCI_MANIFEST, "JSON"),
                invalid("duplicate top-level key",
                        IMAGE.replace("'schemaVersion': 2,", "'schemaVersion': 2, 'schemaVersion': 2,"), OCI_MANIFEST,
                        "Duplicate field 'schemaVersion'"),
                invalid("duplicate key in a descriptor: two digests for one blob",
                        IMAGE.replace("'digest': '$D2'", "'digest': '$D2', 'digest': '$D3'"), OCI_MANIFEST,
                        "Duplicate field 'digest'"),
                invalid("empty body", "", OCI_MANIFEST, "exactly one JSON value"),
                invalid("whitespace body", "  \n", OCI_MANIFEST, "exactly one JSON value"),
                invalid("array", "[" + IMAGE + "]", OCI_MANIFEST, "JSON object"),
                invalid("string", "'manifest'", OCI_MANIFEST, "JSON object"),
                invalid("number", "2", OCI_MANIFEST, "JSON object"),
                invalid("null", "null", OCI_MANIFEST, "JSON"),
                // schemaVersion
                invalid("Docker schema 1", """
                        {'schemaVersion': 1, 'name': 'library/hello', 'tag': 'latest', 'architecture': 'amd64',
                         'fsLayers': [{'blobSum': '$D1'}], 'history': [{'v1Compatibility': '{}'}],
                         'signatures': []}""", MediaTypes.DOCKER_SCHEMA1_SIGNED, "schema 1"),
                invalid("Docker schema 1 without Content-Type", "{'schemaVersion': 1, 'fsLayers': []}", null, "schema 1"),
                invalid("schemaVersion 1 with an OCI Content-Type", IMAGE.replace("'schemaVersion': 2", "'schemaVersion': 1"),
                        OCI_MANIFEST, "schema 1"),
                invalid("schemaVersion missing", IMAGE.replace("'schemaVersion': 2, ", ""), OCI_MANIFEST,
                        "schemaVersion must be 2"),
                invalid("schemaVersion 3", IMAGE.replace("'schemaVersion': 2", "'schemaVersion': 3"), OCI_MANIFEST,
                        "schemaVersion must be 2"),
                invalid("schemaVersion as a string", IMAGE.replace("'schemaVersion': 2", "'schemaVersion': '2'"),
                        OCI_MANIFEST, "schemaVersion must be 2"),
                invalid("schemaVersion 2.0", IMAGE.replace("'schemaVersion': 2", "'schemaVersion': 2.0"), OCI_MANIFEST,
                        "schemaVersion must be 2"),
                invalid("schemaVersion null", IMAGE.replace("'schemaVersion': 2", "'schemaVersion': null"), OCI_MANIFEST,
                        "schemaVersion must be 2"),
                invalid("schemaVersion 2^32+2 (int overflow to 2)",
                        IMAGE.replace("'schemaVersion': 2", "'schemaVersion': 4294967298"), OCI_MANIFEST,
                        "schemaVersion must be 2"),
                invalid("schemaVersion 2^32+1 (int overflow to 1)",
                        IMAGE.replace("'schemaVersion': 2", "'schemaVersion': 4294967297"), OCI_MANIFEST,
                        "schemaVersion must be 2"),
                // mediaType and Content-Type
                invalid("body manifest, Content-Type index", IMAGE, OCI_INDEX, "does not match Content-Type"),
                invalid("body index, Content-Type manifest", INDEX, OCI_MANIFEST, "does not match Content-Type"),
                invalid("body Docker manifest, Content-Type OCI manifest",
                        IMAGE.replace("'$OCI_MANIFEST'", "'$DOCKER_MANIFEST'"), OCI_MANIFEST, "does not match Content-Type"),
                invalid("body OCI manifest, Content-Type Docker manifest", IMAGE, DOCKER_MANIFEST,
                        "does not match Content-Type"),
                invalid("body manifest, Content-Type index with parameters", IMAGE, OCI_INDEX + "; charset=utf-8",
                        "does not match Content-Type"),
                invalid("body manifest, Content-Type a config type", IMAGE, MediaTypes.OCI_CONFIG,
                        "does not match Content-Type"),
                invalid("body manifest, Content-Type text/plain", IMAGE, "text/plain", "does not match Content-Type"),
                invalid("body manifest, Content-Type octet-stream", IMAGE, MediaTypes.OCTET_STREAM,
                        "does not match Content-Type"),
                invalid("body mediaType not a manifest type", IMAGE.replace("'$OCI_MANIFEST'", "'application/json'"),
                        OCI_MANIFEST, "unsupported manifest media type"),
                invalid("withdrawn OCI artifact manifest type",
                        IMAGE.replace("'$OCI_MANIFEST'", "'application/vnd.oci.artifact.manifest.v1+json'"), null,
                        "unsupported manifest media type"),
                invalid("body mediaType in another case", IMAGE.replace("'$OCI_MANIFEST'",
                        "'application/vnd.OCI.image.manifest.v1+json'"), null, "unsupported manifest media type"),
                invalid("mediaType not a string", IMAGE.replace("'$OCI_MANIFEST'", "2"), OCI_MANIFEST,
                        "mediaType must be a string"),
                invalid("no mediaType and no Content-Type", "{'schemaVersion': 2, 'config': $CONFIG, 'layers': []}",
                        null, "(no Content-Type)"),
                invalid("no mediaType and Content-Type application/json",
                        "{'schemaVersion': 2, 'config': $CONFIG, 'layers': []}", "application/json",
                        "unknown manifest media type application/json"),
                invalid("no mediaType, Content-Type index, body a manifest",
                        "{'schemaVersion': 2, 'config': $CONFIG, 'layers': []}", OCI_INDEX, "does not match Content-Type"),
                invalid("no mediaType, Content-Type manifest, body an index", "{'schemaVersion': 2, 'manifests': []}",
                        OCI_MANIFEST, "does not match Content-Type"),
                invalid("Docker manifest without mediaType", "{'schemaVersion': 2, 'config': $CONFIG, 'layers': []}",
                        DOCKER_MANIFEST, "must carry mediaType"),
                invalid("Docker manifest list without mediaType", "{'schemaVersion': 2, 'manifests': []}",
                        DOCKER_LIST, "must carry mediaType"),
                // image manifest structure
                invalid("config missing", "{'schemaVersion': 2, 'mediaType': '$OCI_MANIFEST', 'layers': [$LAYER]}",
                        OCI_MANIFEST, "config is required"),
                invalid("config null", IMAGE.replace(CONFIG, "null"), OCI_MANIFEST, "config must be a descriptor"),
                invalid("config a string", IMAGE.replace(CONFIG, "'$D1'"), OCI_MANIFEST, "config must be a descriptor"),
                invalid("layers not an array", IMAGE.replace("[" + LAYER + "]", LAYER), OCI_MANIFEST, "layers must be an array"),
                invalid("layer not an object", IMAGE.replace("[" + LAYER + "]", "['$D2']"), OCI_MANIFEST,
                        "layers[0] must be a descriptor"),
                invalid("image manifest with manifests", IMAGE.replace("'layers'", "'manifests': [], 'layers'"),
                        OCI_MANIFEST, "no manifests array"),
                invalid("Docker manifest without layers",
                        "{'schemaVersion': 2, 'mediaType': '$DOCKER_MANIFEST', 'config': $CONFIG}", DOCKER_MANIFEST,
                        "layers must be an array"),
                invalid("Docker manifest with artifactType", IMAGE.replace("'$OCI_MANIFEST'",
                        "'$DOCKER_MANIFEST', 'artifactType': 'application/vnd.example'"), DOCKER_MANIFEST,
                        "artifactType is not part of Docker schema 2"),
                invalid("artifactType not a string", IMAGE.replace("'config'", "'artifactType': 1, 'config'"),
                        OCI_MANIFEST, "artifactType must be a string"),
                invalid("subject not a descriptor", IMAGE.replace("'config'", "'subject': '$D3', 'config'"),
                        OCI_MANIFEST, "subject must be a descriptor"),
                invalid("subject without digest", IMAGE.replace("'config'",
                        "'subject': {'mediaType': '$OCI_MANIFEST', 'size': 1}, 'config'"), OCI_MANIFEST,
                        "subject.digest must be a non-empty string"),
                // index structure
                invalid("index with config", INDEX.replace("'manifests'", "'config': $CONFIG, 'manifests'"), OCI_INDEX,
                        "an index has no config or layers"),
                invalid("index with layers", INDEX.replace("'manifests'", "'layers': [$LAYER], 'manifests'"), OCI_INDEX,
                        "an index has no config or layers"),
                invalid("Docker list with layers", "{'schemaVersion': 2, 'mediaType': '$DOCKER_LIST', 'manifests': [],"
                        + " 'layers': []}", DOCKER_LIST, "an index has no config or layers"),
                invalid("index without manifests", "{'schemaVersion': 2, 'mediaType': '$OCI_INDEX'}", OCI_INDEX,
                        "manifests must be an array"),
                invalid("index manifests null", INDEX.replace("[" + CHILD + "]", "null"), OCI_INDEX, "manifests must be an array"),
                invalid("index manifests an object", INDEX.replace("[" + CHILD + "]", CHILD), OCI_INDEX,
                        "manifests must be an array"),
                invalid("index entry platform without os", INDEX.replace("'size': 7682}",
                        "'size': 7682, 'platform': {'architecture': 'amd64'}}"), OCI_INDEX,
                        "manifests[0].platform.os must be a non-empty string"),
                invalid("index entry platform without architecture", INDEX.replace("'size': 7682}",
                        "'size': 7682, 'platform': {'os': 'linux'}}"), OCI_INDEX,
                        "manifests[0].platform.architecture must be a non-empty string"),
                invalid("index entry platform a string", INDEX.replace("'size': 7682}",
                        "'size': 7682, 'platform': 'linux/amd64'}"), OCI_INDEX, "manifests[0].platform must be an object"),
                // descriptors
                invalid("descriptor digest too short", IMAGE.replace("'$D2'", "'sha256:abc'"), OCI_MANIFEST,
                        "layers[0].digest"),
                invalid("descriptor digest upper-case hex", IMAGE.replace("'$D2'", "'" + D2.toUpperCase().replace("SHA", "sha") + "'"),
                        OCI_MANIFEST, "layers[0].digest"),
                invalid("descriptor digest unregistered algorithm", IMAGE.replace("'$D1'",
                        "'md5:d41d8cd98f00b204e9800998ecf8427e'"), OCI_MANIFEST, "config.digest"),
                invalid("descriptor digest without algorithm", IMAGE.replace("'$D2'", "'" + D2.substring(7) + "'"),
                        OCI_MANIFEST, "layers[0].digest"),
                invalid("descriptor digest missing", IMAGE.replace(", 'digest': '$D2'", ""), OCI_MANIFEST,
                        "layers[0].digest must be a non-empty string"),
                invalid("descriptor digest a number", IMAGE.replace("'$D2'", "42"), OCI_MANIFEST,
                        "layers[0].digest must be a non-empty string"),
                invalid("descriptor negative size", IMAGE.replace("'size': 32654", "'size': -1"), OCI_MANIFEST,
                        "layers[0].size must be a non-negative integer"),
                invalid("descriptor size missing", IMAGE.replace(", 'size': 32654", ""), OCI_MANIFEST,
                        "layers[0].size must be a non-negative integer"),
                invalid("descriptor size a string", IMAGE.replace("'size': 32654", "'size': '32654'"), OCI_MANIFEST,
                        "layers[0].size must be a non-negative integer"),
                invalid("descriptor size fractional", IMAGE.replace("'size': 32654", "'size': 1.5"), OCI_MANIFEST,
                        "layers[0].size must be a non-negative integer"),
                invalid("descriptor size over int64", IMAGE.replace("'size': 32654", "'size': 9223372036854775808"),
                        OCI_MANIFEST, "layers[0].size must be a non-negative integer"),
                invalid("descriptor mediaType missing", IMAGE.replace("'mediaType': '$LAYER_GZIP', ", ""), OCI_MANIFEST,
                        "layers[0].mediaType must be a non-empty string"),
                invalid("descriptor mediaType empty", IMAGE.replace("'$LAYER_GZIP'", "''"), OCI_MANIFEST,
                        "layers[0].mediaType must be a non-empty string"),
                invalid("descriptor mediaType not a string", IMAGE.replace("'$LAYER_GZIP'", "['$LAYER_GZIP']"),
                        OCI_MANIFEST, "layers[0].mediaType must be a non-empty string"),
                invalid("config mediaType missing", IMAGE.replace("'mediaType': '$OCI_CONFIG', ", ""),
                        OCI_MANIFEST, "config.mediaType must be a non-empty string"),
                invalid("index entry with bad digest", INDEX.replace("'$D1'", "'sha256:82qga5d6'"), OCI_INDEX,
                        "manifests[0].digest"),
                invalid("descriptor urls not an array", IMAGE.replace("'size': 32654",
                        "'size': 32654, 'urls': 'https://example.com/layer'"), OCI_MANIFEST,
                        "layers[0].urls must be an array"),
                invalid("descriptor urls entry not a string", IMAGE.replace("'size': 32654",
                        "'size': 32654, 'urls': [{'href': 'https://example.com/layer'}]"), OCI_MANIFEST,
                        "layers[0].urls[0] must be a string"),
                invalid("descriptor artifactType not a string", IMAGE.replace("'size': 32654",
                        "'size': 32654, 'artifactType': true"), OCI_MANIFEST, "artifactType must be a string"),
                // annotations: "string-string map"
                invalid("annotation value a number", IMAGE.replace("'layers'", "'annotations': {'a': 1}, 'layers'"),
                        OCI_MANIFEST, "annotations.a must be a string"),
                invalid("annotation value a boolean", IMAGE.replace("'layers'", "'annotations': {'a': true}, 'layers'"),
                        OCI_MANIFEST, "annotations.a must be a string"),
                invalid("annotation value null", IMAGE.replace("'layers'", "'annotations': {'a': null}, 'layers'"),
                        OCI_MANIFEST, "annotations.a must be a string"),
                invalid("annotation value an object", IMAGE.replace("'layers'",
                        "'annotations': {'a': {'b': 'c'}}, 'layers'"), OCI_MANIFEST, "annotations.a must be a string"),
                invalid("annotation value an array", IMAGE.replace("'layers'", "'annotations': {'a': ['b']}, 'layers'"),
                        OCI_MANIFEST, "annotations.a must be a string"),
                invalid("annotations an array", IMAGE.replace("'layers'", "'annotations': ['a'], 'layers'"),
                        OCI_MANIFEST, "annotations must be an object"),
                invalid("annotations a string", IMAGE.replace("'layers'", "'annotations': 'a=b', 'layers'"),
                        OCI_MANIFEST, "annotations must be an object"),
                invalid("layer annotation value a number", IMAGE.replace("'size': 32654",
                        "'size': 32654, 'annotations': {'org.opencontainers.image.title': 7}"), OCI_MANIFEST,
                        "layers[0].annotations.org.opencontainers.image.title must be a string"),
                invalid("index annotation value a number", INDEX.replace("'manifests'",
                        "'annotations': {'n': 1}, 'manifests'"), OCI_INDEX, "annotations.n must be a string"),
                invalid("index entry annotation value a number", INDEX.replace("'size': 7682}",
                        "'size': 7682, 'annotations': {'n': 1}}"), OCI_INDEX,
                        "manifests[0].annotations.n must be a string"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidManifests")
    void invalidManifestIsManifestInvalid(String name, String json, String contentType, String reason) {
        assertManifestInvalid(json(json).getBytes(StandardCharsets.UTF_8), contentType, reason);
    }

    @Test
    void invalidUtf8IsManifestInvalid() {
        byte[] bytes = json(IMAGE).getBytes(StandardCharsets.UTF_8);
        byte[] broken = Arrays.copyOf(bytes, bytes.length);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("application/vnd.oci.image.layer");
        broken[at] = (byte) 0xC3;
        broken[at + 1] = (byte) 0x28; // an invalid two-byte sequence

        assertManifestInvalid(broken, OCI_MANIFEST, "malformed JSON");
    }

    @Test
    void descriptorParsesOnItsOwnAndNamesItsPlaceInErrors() {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("mediaType", OCI_MANIFEST).put("digest", D1).put("size", 7682);

        assertThat(ManifestParser.descriptor(node, "subject")).isEqualTo(Descriptor.of(OCI_MANIFEST, Digest.parse(D1), 7682));
        node.put("size", -7682);
        assertThatThrownBy(() -> ManifestParser.descriptor(node, "somewhere"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                    assertThat(e.detail()).isEqualTo("somewhere.size must be a non-negative integer");
                });
    }

    @Test
    void parsedViewIsImmutable() {
        Manifest manifest = parse(IMAGE.replace("'layers'", "'annotations': {'a': 'b'}, 'layers'"), OCI_MANIFEST);

        assertThatThrownBy(() -> manifest.layers().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> manifest.annotations().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static Arguments invalid(String name, String json, String contentType, String reason) {
        return Arguments.of(name, json, contentType, reason);
    }

    private static void assertManifestInvalid(byte[] bytes, String contentType, String reason) {
        assertThatThrownBy(() -> ManifestParser.parse(bytes, contentType))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                    assertThat(e.detail()).contains(reason);
                });
    }

    private static Manifest parse(String json, String contentType) {
        return ManifestParser.parse(json(json).getBytes(StandardCharsets.UTF_8), contentType);
    }

    /** Expands the {@code $NAME} placeholders and turns the single quotes of the readable fixtures into JSON's double quotes. */
    static String json(String template) {
        return template
                .replace("$CONFIG", CONFIG)
                .replace("$LAYER_GZIP", LAYER_GZIP)
                .replace("$LAYER", LAYER)
                .replace("$CHILD", CHILD)
                .replace("$LAYER_GZIP", LAYER_GZIP)
                .replace("$OCI_CONFIG", MediaTypes.OCI_CONFIG)
                .replace("$OCI_MANIFEST", OCI_MANIFEST)
                .replace("$OCI_INDEX", OCI_INDEX)
                .replace("$DOCKER_MANIFEST", DOCKER_MANIFEST)
                .replace("$DOCKER_LIST", DOCKER_LIST)
                .replace("$SHA512", SHA512)
                .replace("$EMPTY", EMPTY)
                .replace("$D1", D1)
                .replace("$D2", D2)
                .replace("$D3", D3)
                .replace('\'', '"');
    }

    private static byte[] seed(String file) {
        try (InputStream in = ManifestParserTest.class.getResourceAsStream("/seed/" + file)) {
            assertThat(in).as(file).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
