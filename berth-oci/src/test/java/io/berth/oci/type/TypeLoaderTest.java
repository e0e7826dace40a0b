package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.berth.oci.Manifest;
import io.berth.oci.Repository;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Type files: the seed's mediaTypeMappings.json, Berth's own format in JSON and YAML, overrides and problems. */
class TypeLoaderTest {
    static final String ROCKET_SVG = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\">"
            + "<rect x=\"1\" y=\"1\" width=\"22\" height=\"22\" rx=\"5\" fill=\"#c2410c\"/></svg>";

    @TempDir
    Path dir;

    Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    static TypeSource source(String name, String content) {
        return TypeSource.of(name, content.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The seed's format

    @Test
    void theSeedsMappingsLoadUnchangedAndExtendTheBuiltInTypes() throws Exception {
        Path seed = write("mediaTypeMappings.json", TypeFixtures.text("/type/mediaTypeMappings.json"));

        TypeCatalog.Loaded loaded = TypeCatalog.load(List.of(seed));

        assertThat(loaded.problems()).isEmpty();
        TypeCatalog catalog = loaded.catalog();
        assertThat(catalog.types()).hasSameSizeAs(TypeCatalog.builtIn().types());
        Detected helm = catalog.detect(TypeFixtures.manifest(TypeFixtures.resource("/seed/helm/wordpress-manifest.json")));
        Detected image = catalog.detect(TypeFixtures.manifest(TypeFixtures.resource("/seed/container-image/mysql-manifest-amd64.json")));
        Detected cnab = catalog.detect(TypeFixtures.fixtureManifest("cnab-seed-corrected"));
        assertThat(List.of(helm, image, cnab)).extracting(d -> d.type().id(), d -> d.type().title(), d -> d.type().source())
                .containsExactly(tuple("helm-chart", "Helm Chart", seed.toString()),
                        tuple("oci-image", "OCI Image", seed.toString()),
                        tuple("cnab-bundle", "CNAB", seed.toString()));
        ArtifactType helmType = helm.type();
        assertThat(helmType.description()).isEqualTo("The package manager for Kubernetes");
        assertThat(helmType.moreInfo()).contains(URI.create("https://helm.sh/"));
        assertThat(helmType.links()).containsExactly(new ArtifactType.Link("Helm", URI.create("https://github.com/helm/helm#install")));
        // the external icon is kept as a reference; Berth's own drawing stays what is rendered
        assertThat(helmType.icon().href()).contains(URI.create("https://github.com/helm/helm/blob/master/docs/logos/helm-blue-vector.svg"));
        assertThat(helmType.icon().svg()).isEqualTo(TypeCatalog.builtIn().type("helm-chart").orElseThrow().icon().svg());
        // the built-in rules and actions stay, so cosign signatures are still not OCI images
        assertThat(helmType.actions()).isEqualTo(TypeCatalog.builtIn().type("helm-chart").orElseThrow().actions());
        assertThat(catalog.detect(TypeFixtures.fixtureManifest("cosign-signature")).type().id()).isEqualTo("cosign-signature");
        // and the seed's "config OR artifactType" holds for the extended type
        assertThat(catalog.detect(DetectionOrderTest.image("application/vnd.cncf.helm.config.v3+json",
                "application/vnd.oci.empty.v1+json")).type().id()).isEqualTo("helm-chart");
    }

    @Test
    void theFingerprintFollowsTheTypeFilesAndNothingElse() {
        String rocket = """
                {"schemaVersion": 1, "mediaTypes": [{"mediaType": "application/vnd.acme.rocket.config.v1+json"}]}""";
        String fingerprint = TypeCatalog.loadSources(List.of(source("acme.json", rocket))).catalog().fingerprint();

        assertThat(fingerprint).matches("[0-9a-f]{64}")
                .isEqualTo(TypeCatalog.loadSources(List.of(source("acme.json", rocket))).catalog().fingerprint())
                .isNotEqualTo(TypeCatalog.builtIn().fingerprint())
                .isNotEqualTo(TypeCatalog.loadSources(List.of(source("acme.json", rocket + " "))).catalog().fingerprint())
                .isNotEqualTo(TypeCatalog.loadSources(List.of(source("other.json", rocket))).catalog().fingerprint());
        assertThat(TypeCatalog.loadSources(List.of()).catalog().fingerprint()).isEqualTo(TypeCatalog.builtIn().fingerprint());
    }

    @Test
    void aSeedEntryForANewMediaTypeBecomesATypeMatchedOnConfigOrArtifactType() {
        String svgDataUrl = "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(ROCKET_SVG.getBytes(StandardCharsets.UTF_8));
        String mappings = """
                {"schemaVersion": 1, "mediaTypes": [
                  {"mediaType": "application/vnd.acme.rocket.config.v1+json", "title": "Rocket",
                   "description": "Launch plans", "icon.svg": "%s", "moreInfo": "https://rocket.example/",
                   "tools": [{"title": "rocket", "installer": "https://rocket.example/install"}], "schemaValidation": "none"},
                  {"mediaType": "application/vnd.acme.lander.v1", "icon.svg": "https://lander.example/icon.svg"}
                ]}""".formatted(svgDataUrl);

        TypeCatalog.Loaded loaded = TypeCatalog.loadSources(List.of(source("acme.json", mappings)));

        assertThat(loaded.problems()).isEmpty();
        ArtifactType rocket = loaded.catalog().type("vnd-acme-rocket-config-v1-json").orElseThrow();
        assertThat(rocket.title()).isEqualTo("Rocket");
        assertThat(rocket.icon()).isEqualTo(Icon.inline(ROCKET_SVG));
        assertThat(rocket.source()).isEqualTo("acme.json");
        assertThat(loaded.catalog().detect(DetectionOrderTest.image(null, "application/vnd.acme.rocket.config.v1+json"))
                .type()).isEqualTo(rocket);
        assertThat(loaded.catalog().detect(DetectionOrderTest.image("application/vnd.acme.rocket.config.v1+json",
                "application/vnd.oci.empty.v1+json")).type()).isEqualTo(rocket);
        ArtifactType lander = loaded.catalog().type("vnd-acme-lander-v1").orElseThrow();
        assertThat(lander.title()).isEqualTo("application/vnd.acme.lander.v1");
        assertThat(lander.icon()).isEqualTo(new Icon(Icons.GENERIC, Optional.of(URI.create("https://lander.example/icon.svg"))));
    }

    @Test
    void aSeedEntryWithUnusableOptionalFieldsStillLoads() {
        String mappings = """
                {"schemaVersion": 1, "mediaTypes": [
                  {"mediaType": "application/vnd.acme.x.v1", "moreInfo": "javascript:alert(1)",
                   "icon.svg": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' onload='alert(1)'/>"},
                  {"title": "no media type"}
                ]}""";

        TypeCatalog.Loaded loaded = TypeCatalog.loadSources(List.of(source("acme.json", mappings)));

        ArtifactType x = loaded.catalog().type("vnd-acme-x-v1").orElseThrow();
        assertThat(x.moreInfo()).isEmpty();
        assertThat(x.icon()).isEqualTo(Icons.generic());
        assertThat(loaded.problems()).extracting(CatalogProblem::line, CatalogProblem::message).containsExactly(
                tuple(2, "mediaTypes[0] (application/vnd.acme.x.v1): \"moreInfo\" must be an http(s) URL: javascript:alert(1) (ignored)"),
                tuple(2, "mediaTypes[0] (application/vnd.acme.x.v1): icon.svg: icon must not contain event attributes (onload) (ignored)"),
                tuple(4, "mediaTypes[1]: \"mediaType\" is required"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Berth's format

    @Test
    void aBerthFileOverridesABuiltInTypeById() throws Exception {
        Path file = write("types/helm.json", """
                {"berthTypes": 1, "types": [{
                  "id": "helm-chart", "title": "Chart", "description": "Our charts.", "icon": "icons/chart.svg",
                  "scanner": "chart",
                  "match": [{"configMediaType": "application/vnd.cncf.helm.config.v1+json"}],
                  "actions": [{"title": "Deploy", "command": "ourtool deploy {reference}"}]
                }]}""");
        write("types/icons/chart.svg", ROCKET_SVG);

        TypeCatalog.Loaded loaded = TypeCatalog.load(List.of(file));

        assertThat(loaded.problems()).isEmpty();
        Detected detected = loaded.catalog().detect(TypeFixtures.fixtureManifest("helm-chart"));
        assertThat(detected.type().title()).isEqualTo("Chart");
        assertThat(detected.type().source()).isEqualTo(file.toString());
        assertThat(detected.type().icon().svg()).isEqualTo(ROCKET_SVG);
        assertThat(detected.type().actionsFor(Target.of("r.example", Repository.of("a/b"), "1", TypeFixtures.digest(new byte[0]))))
                .extracting(ActionTemplate.Action::command).containsExactly("ourtool deploy r.example/a/b:1");
        // replaced, rules included: the seed's v3 config is no longer a chart
        assertThat(loaded.catalog().detect(TypeFixtures.manifest(TypeFixtures.resource("/seed/helm/wordpress-manifest.json")))
                .type().id()).isEqualTo("unknown");
        assertThat(loaded.catalog().types()).hasSameSizeAs(TypeCatalog.builtIn().types());
    }

    @Test
    void theDocumentedExampleLoadsWithItsIconFile() throws Exception {
        Path example = Path.of(TypeLoaderTest.class.getResource("/type/example/acme-types.yaml").toURI());

        TypeCatalog.Loaded loaded = TypeCatalog.load(List.of(example));

        assertThat(loaded.problems()).isEmpty();
        ArtifactType rocket = loaded.catalog().type("acme-rocket").orElseThrow();
        assertThat(rocket.icon().svg()).isEqualTo(Files.readString(example.resolveSibling("icons/acme-rocket.svg")).strip());
        assertThat(rocket.source()).isEqualTo(example.toString());
        assertThat(loaded.catalog().detect(DetectionOrderTest.image(null, "application/vnd.acme.rocket.config.v1+json",
                "application/vnd.acme.rocket.plan.v1+yaml")).type()).isEqualTo(rocket);
        assertThat(loaded.catalog().detect(DetectionOrderTest.image(null, "application/vnd.acme.rocket.config.v1+json"))
                .type().id()).isEqualTo("unknown");
        assertThat(rocket.actionsFor(Target.of("r.example", Repository.of("acme/moon"), "v2", TypeFixtures.digest(new byte[0]))))
                .containsExactly(new ActionTemplate.Action("Launch", "rocket launch r.example/acme/moon:v2"));
    }

    @Test
    void aLaterFilesRuleWinsATieWithAnEarlierOne() {
        String ours = """
                {"berthTypes": 1, "types": [{"id": "our-charts", "title": "Our charts",
                  "match": [{"configMediaType": "application/vnd.cncf.helm.config.v1+json"}]}]}""";

        TypeCatalog catalog = TypeCatalog.loadSources(List.of(source("ours.json", ours))).catalog();

        assertThat(catalog.detect(TypeFixtures.fixtureManifest("helm-chart")).type().id()).isEqualTo("our-charts");
        assertThat(catalog.detect(TypeFixtures.fixtureManifest("oci-image")).type().id()).isEqualTo("oci-image");
    }

    @Test
    void aYamlFileWithInlineSvgAndEveryKindOfCondition() {
        String yaml = """
                berthTypes: 1
                types:
                  - id: acme-rocket
                    title: Acme rocket
                    description: A launch plan.
                    scanner: iac
                    moreInfo: https://rocket.example/docs
                    icon: |
                      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10" fill="#c2410c"/></svg>
                    match:
                      - artifactType: [application/vnd.acme.rocket.v1]
                      - configMediaType: application/vnd.oci.image.config.v1+json
                        layerMediaTypePrefix: application/vnd.acme.rocket.
                        annotation:
                          - {on: layer, key: org.opencontainers.image.title}
                          - {on: manifest, key: com.acme.kind, value: rocket}
                    actions:
                      - title: Launch
                        command: rocket launch {registry}/{repository}:{tag}
                        untagged: rocket launch {registry}/{repository}@{digest}
                    links:
                      - {title: Get the CLI, url: https://rocket.example/install}
                """;
        String manifest = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "%s"},
                 "layers": [{"mediaType": "application/vnd.acme.rocket.plan.v1", "size": 3, "digest": "%s",
                             "annotations": {"org.opencontainers.image.title": "plan.yaml"}}],
                 "annotations": {"com.acme.kind": "rocket"}}""".formatted(DetectionOrderTest.D1, DetectionOrderTest.D2);

        TypeCatalog.Loaded loaded = TypeCatalog.loadSources(List.of(source("acme.yaml", yaml)));

        assertThat(loaded.problems()).isEmpty();
        ArtifactType rocket = loaded.catalog().type("acme-rocket").orElseThrow();
        assertThat(rocket.scanner()).isEqualTo(ScannerCategory.IAC);
        assertThat(rocket.rules()).hasSize(2);
        assertThat(rocket.rules().get(1).all()).hasSize(4);
        assertThat(rocket.links()).extracting(ArtifactType.Link::title).containsExactly("Get the CLI");
        Manifest parsed = TypeFixtures.manifest(manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(loaded.catalog().detect(parsed).type().id()).isEqualTo("acme-rocket");
        assertThat(rocket.actionsFor(Target.of("r.example", Repository.of("a/b"), null, TypeFixtures.digest(new byte[0]))))
                .extracting(ActionTemplate.Action::command)
                .containsExactly("rocket launch r.example/a/b@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Problems

    @Test
    void aMalformedFileIsReportedWithItsPositionAndTheOtherFilesStillLoad() throws Exception {
        Path before = write("a.json", """
                {"berthTypes": 1, "types": [{"id": "a-type", "title": "A", "match": [{"artifactType": "application/vnd.a"}]}]}""");
        Path broken = write("b.json", """
                {
                  "berthTypes": 1,
                  "types": [
                    {"id": "b-type", "title": "B" "match": []}
                  ]
                }""");
        Path brokenYaml = write("c.yaml", """
                berthTypes: 1
                types:
                  - id: c-type
                    title: [unclosed
                """);
        Path after = write("d.json", """
                {"berthTypes": 1, "types": [{"id": "d-type", "title": "D", "match": [{"artifactType": "application/vnd.d"}]}]}""");

        TypeCatalog.Loaded loaded = TypeCatalog.load(List.of(before, broken, brokenYaml, after));

        assertThat(loaded.problems()).extracting(CatalogProblem::file, CatalogProblem::line, CatalogProblem::column)
                .containsExactly(tuple(broken.toString(), 4, 35), tuple(brokenYaml.toString(), 4, 21));
        assertThat(loaded.problems().get(0).message()).contains("expecting comma");
        assertThat(loaded.catalog().type("a-type")).isPresent();
        assertThat(loaded.catalog().type("b-type")).isEmpty();
        assertThat(loaded.catalog().type("c-type")).isEmpty();
        assertThat(loaded.catalog().type("d-type")).isPresent();
    }

    static final String BASE = "\"id\": \"bad-one\", \"title\": \"Bad\", \"match\": [{\"artifactType\": \"application/vnd.bad\"}]";
    /** why | the bad entry ($BASE: a valid id, title and rule) | the message. */
    static final String INVALID_ENTRIES = """
            unknown placeholder  | {$BASE, "actions": [{"title": "Go", "command": "go {ref}"}]} | unknown placeholder {ref} in action "Go"
            tag in untagged form | {$BASE, "actions": [{"title": "Go", "command": "go {tag}", "untagged": "go {tag}"}]} | the untagged form of action "Go" must not use {tag}
            unknown scanner      | {$BASE, "scanner": "virus"} | unknown scanner category "virus"
            unsafe moreInfo      | {$BASE, "moreInfo": "javascript:alert(1)"} | "moreInfo" must be an http(s) URL: javascript:alert(1)
            script in the icon   | {$BASE, "icon": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><script>alert(1)</script></svg>"} | icon must not contain <script>
            external image       | {$BASE, "icon": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><image href='https://x.example/a.png'/></svg>"} | icon must not reference anything outside itself (href)
            icon outside the dir | {$BASE, "icon": "../secret.svg"} | icon must be inline SVG, a data: or http(s) URL, or a relative .svg file: ../secret.svg
            missing icon file    | {$BASE, "icon": "icons/none.svg"} | icon file not found next to bad.json: icons/none.svg
            unknown field        | {$BASE, "colour": "red"} | unknown field "colour" in a type
            unknown rule key     | {"id": "bad-one", "title": "Bad", "match": [{"configMediaTyp": "x"}]} | unknown field "configMediaTyp" in a match rule
            bad annotation scope | {"id": "bad-one", "title": "Bad", "match": [{"annotation": {"on": "blob", "key": "k"}}]} | annotation "on" must be manifest, config, layer or child: blob
            empty condition list | {"id": "bad-one", "title": "Bad", "match": [{"layerMediaType": []}]} | "layerMediaType" must not be empty
            no rules             | {"id": "bad-one", "title": "Bad", "match": []} | "match" needs at least one rule
            no title             | {"id": "bad-one", "match": [{"artifactType": "application/vnd.bad"}]} | "title" is required
            not an object        | null | a type must be an object
            bad id               | {"id": "Bad_Id", "title": "Bad", "match": [{"artifactType": "application/vnd.bad"}]} | id must be kebab-case
            """;

    static Stream<Arguments> invalidEntries() {
        return TypeFixtures.table(INVALID_ENTRIES).stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEntries")
    void anInvalidEntryIsSkippedWithItsPositionAndTheRestOfTheFileLoads(String why, String entry, String message) {
        String json = """
                {"berthTypes": 1, "types": [
                  {"id": "good-one", "title": "Good", "match": [{"artifactType": "application/vnd.good"}]},
                  %s,
                  {"id": "good-two", "title": "Good", "match": [{"artifactType": "application/vnd.good2"}]}
                ]}""".formatted(entry.replace("$BASE", BASE));

        TypeCatalog.Loaded loaded = TypeCatalog.loadSources(List.of(source("bad.json", json)));

        assertThat(loaded.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("bad.json");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.column()).isEqualTo(3);
            assertThat(p.message()).startsWith("types[1]").contains(message);
        });
        assertThat(loaded.catalog().types()).extracting(ArtifactType::id).contains("good-one", "good-two")
                .doesNotContain("bad-one", "Bad_Id");
    }

    /** why | file name | content ({@code <empty>}: nothing) | line | column | message. */
    static final String FILE_PROBLEMS = """
            not a type file    | x.json | {"kind": "something else"}         | 1 | 1  | not a type file
            not an object      | x.json | [1, 2]                             | 1 | 1  | the file must hold one object
            empty              | x.yaml | <empty>                            | 1 | 1  | the file is empty
            future version     | x.json | {"berthTypes": 2, "types": []}     | 1 | 1  | unsupported berthTypes version 2
            types not an array | x.json | {"berthTypes": 1, "types": {}}     | 1 | 1  | "types" must be an array
            duplicate key      | x.json | {"berthTypes": 1, "berthTypes": 1} | 1 | 31 | Duplicate field 'berthTypes'
            null version       | x.json | {"berthTypes": null, "types": []}  | 1 | 1  | unsupported berthTypes version null
            trailing content   | x.json | {"berthTypes": 1, "types": []} {}  | 1 | 32 | unexpected content after the top-level object
            """;

    static Stream<Arguments> fileProblems() {
        return TypeFixtures.table(FILE_PROBLEMS).stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileProblems")
    void fileLevelProblems(String why, String name, String content, String line, String column, String message) {
        String text = content.equals("<empty>") ? "" : content;

        TypeCatalog.Loaded loaded = TypeCatalog.loadSources(List.of(source(name, text)));

        assertThat(loaded.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(name);
            assertThat(p.line()).isEqualTo(Integer.parseInt(line));
            assertThat(p.column()).isEqualTo(Integer.parseInt(column));
            assertThat(p.message()).contains(message);
        });
    }

    @Test
    void anUnreadableFileIsAProblemWithoutAPosition() {
        Path missing = dir.resolve("missing.json");

        TypeCatalog.Loaded loaded = TypeCatalog.load(List.of(missing));

        assertThat(loaded.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(missing.toString());
            assertThat(p.line()).isZero();
            assertThat(p.toString()).startsWith(missing + ": cannot read the file");
        });
        assertThat(loaded.catalog().types()).hasSameSizeAs(TypeCatalog.builtIn().types());
    }
}
