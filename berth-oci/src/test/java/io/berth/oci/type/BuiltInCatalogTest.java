package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The built-in catalog as data: size, ids, icons, placeholders, links, and no ambiguous claims. */
class BuiltInCatalogTest {
    static final TypeCatalog CATALOG = TypeCatalog.builtIn();

    static Stream<ArtifactType> types() {
        return CATALOG.types().stream();
    }

    @Test
    void loadsWithoutProblemsAndHasAtLeast45Types() {
        assertThat(TypeCatalog.loadSources(List.of()).problems()).isEmpty();
        assertThat(CATALOG.types()).hasSizeGreaterThanOrEqualTo(45);
        assertThat(CATALOG.unknown().id()).isEqualTo("unknown");
    }

    @Test
    void idsInTheFileAreUniqueAndKebabCase() throws Exception {
        JsonNode file = new ObjectMapper().readTree(TypeFixtures.resource("/io/berth/oci/type/builtin-types.json"));
        List<String> ids = new ArrayList<>();
        file.get("types").forEach(t -> ids.add(t.get("id").asText()));

        assertThat(ids).doesNotHaveDuplicates().hasSameSizeAs(CATALOG.types());
        assertThat(ids).allMatch(id -> id.matches("[a-z0-9]+(-[a-z0-9]+)*"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void describesItself(ArtifactType type) {
        assertThat(type.title()).isNotBlank();
        assertThat(type.description()).isNotBlank().endsWith(".");
        assertThat(type.source()).isEqualTo(ArtifactType.BUILT_IN);
        assertThat(type.moreInfo()).get().extracting(u -> u.getScheme()).isEqualTo("https");
        assertThat(type.rules().isEmpty()).isEqualTo(type.id().equals("unknown"));
        assertThat(type.icon().href()).isEmpty();
        assertThat(type.icon().svg()).isNotEqualTo(Icons.GENERIC);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void actionsUseKnownPlaceholdersOnly(ArtifactType type) {
        for (ActionTemplate action : type.actions()) {
            assertThat(action.title()).isNotBlank();
            assertThat(ActionTemplate.PLACEHOLDERS).containsAll(action.placeholders());
            // anything brace-delimited without spaces would be taken for a placeholder
            assertThat(action.command().replaceAll("\\{(registry|repository|name|tag|digest|reference|subject)\\}", ""))
                    .doesNotContainPattern("\\{[^\\s{}\"]+\\}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void iconIsASafeSquareSvg(ArtifactType type) throws Exception {
        String svg = type.icon().svg();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Element root = doc.getDocumentElement();

        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(root.getAttribute("viewBox")).isEqualTo("0 0 24 24");
        assertThat(svg).doesNotContain("<script", "foreignObject", "href", "url(", "@import", "<image")
                .doesNotContainPattern("\\son[a-z]+=");
        assertThat(svg.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http:", "https:", "data:");
        assertNoElement(root, "script");
        assertThat(Svg.problem(svg)).isEmpty();
    }

    @Test
    void iconsAreDistinct() {
        Map<String, List<String>> byIcon = new HashMap<>();
        CATALOG.types().forEach(t -> byIcon.computeIfAbsent(t.icon().svg().replaceAll("aria-label=\"[^\"]*\"", ""),
                k -> new ArrayList<>()).add(t.id()));

        assertThat(byIcon.values()).allMatch(ids -> ids.size() == 1);
    }

    /** A seed entry extends the type that claims its media type; two claimants would make that order-dependent. */
    @Test
    void noMediaTypeIsClaimedByTwoTypesAlone() {
        Map<String, String> claims = new HashMap<>();
        for (ArtifactType type : CATALOG.types()) {
            for (Rule rule : type.rules()) {
                if (rule.all().size() != 1) {
                    continue;
                }
                Match only = rule.all().get(0);
                List<String> mediaTypes = only instanceof Match.ArtifactTypeIs a ? a.mediaTypes()
                        : only instanceof Match.ConfigMediaTypeIs c ? c.mediaTypes() : List.of();
                for (String mediaType : mediaTypes) {
                    String previous = claims.put(rule.all().get(0).getClass().getSimpleName() + " " + mediaType, type.id());
                    assertThat(previous).as(mediaType).isNull();
                }
            }
        }
    }

    private static void assertNoElement(Element element, String name) {
        NodeList all = element.getElementsByTagNameNS("*", name);
        assertThat(all.getLength()).as("<%s> elements", name).isZero();
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node a = attributes.item(i);
            assertThat(a.getNodeName()).doesNotStartWith("on");
        }
    }
}
