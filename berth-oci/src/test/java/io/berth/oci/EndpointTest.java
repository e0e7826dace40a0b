package io.berth.oci;

import static io.berth.oci.Endpoint.Method.DELETE;
import static io.berth.oci.Endpoint.Method.GET;
import static io.berth.oci.Endpoint.Method.HEAD;
import static io.berth.oci.Endpoint.Method.PATCH;
import static io.berth.oci.Endpoint.Method.POST;
import static io.berth.oci.Endpoint.Method.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** distribution-spec "Endpoints" table (end-1 … end-13) plus the catalog. */
class EndpointTest {
    static final String D = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** Path, endpoint, then the expected variables as name=value pairs ("-" for none). */
    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /v2/                                              | BASE      | -
            /v2/_catalog                                      | CATALOG   | -
            /v2/foo/tags/list                                 | TAGS      | name=foo
            /v2/library/ubuntu/tags/list                      | TAGS      | name=library/ubuntu
            /v2/a/b/c/d/tags/list                             | TAGS      | name=a/b/c/d
            /v2/a/tags/list/tags/list                         | TAGS      | name=a/tags/list
            /v2/a/manifests/tags/list                         | TAGS      | name=a/manifests
            /v2/foo/manifests/latest                          | MANIFEST  | name=foo,reference=latest
            /v2/samples/helm/hello-world/manifests/1.0        | MANIFEST  | name=samples/helm/hello-world,reference=1.0
            /v2/foo/manifests/${D}                            | MANIFEST  | name=foo,reference=${D}
            /v2/a/blobs/b/manifests/latest                    | MANIFEST  | name=a/blobs/b,reference=latest
            /v2/manifests/manifests/manifests                 | MANIFEST  | name=manifests,reference=manifests
            /v2/a/tags/b/manifests/list                       | MANIFEST  | name=a/tags/b,reference=list
            /v2/a/blobs/uploads/manifests/v1                  | MANIFEST  | name=a/blobs/uploads,reference=v1
            /v2/foo/blobs/uploads/                            | UPLOADS   | name=foo
            /v2/a/b/c/blobs/uploads/                          | UPLOADS   | name=a/b/c
            /v2/a/blobs/uploads/blobs/uploads/                | UPLOADS   | name=a/blobs/uploads
            /v2/a/manifests/b/blobs/uploads/                  | UPLOADS   | name=a/manifests/b
            /v2/foo/blobs/uploads/abc                         | UPLOAD    | name=foo,uuid=abc
            /v2/a/b/blobs/uploads/0f3c-41d2-9e7a              | UPLOAD    | name=a/b,uuid=0f3c-41d2-9e7a
            /v2/blobs/blobs/uploads/uploads                   | UPLOAD    | name=blobs,uuid=uploads
            /v2/foo/blobs/${D}                                | BLOB      | name=foo,digest=${D}
            /v2/library/ubuntu/blobs/${D}                     | BLOB      | name=library/ubuntu,digest=${D}
            /v2/a/manifests/b/blobs/${D}                      | BLOB      | name=a/manifests/b,digest=${D}
            /v2/a/blobs/uploads/blobs/${D}                    | BLOB      | name=a/blobs/uploads,digest=${D}
            /v2/blobs/blobs/blobs                             | BLOB      | name=blobs,digest=blobs
            /v2/foo/referrers/${D}                            | REFERRERS | name=foo,digest=${D}
            /v2/a/referrers/b/referrers/${D}                  | REFERRERS | name=a/referrers/b,digest=${D}
            """)
    void pathMatchesItsEndpointWithItsVariables(String rawPath, Endpoint endpoint, String variables) {
        String path = rawPath.replace("${D}", D);
        Optional<Endpoint.Match> match = Endpoint.match(path);

        assertThat(match).get().extracting(Endpoint.Match::endpoint).isEqualTo(endpoint);
        // the table is unambiguous: no other template matches, so declaration order decides nothing
        assertThat(Arrays.stream(Endpoint.values()).filter(e -> matchesTemplate(e, path))).containsExactly(endpoint);
        Map<String, String> expected = variables(variables.replace("${D}", D));
        for (String variable : new String[] {"name", "reference", "digest", "uuid"}) {
            if (expected.containsKey(variable)) {
                assertThat(match.get().variable(variable)).as(variable).isEqualTo(expected.get(variable));
            } else {
                assertThatThrownBy(() -> match.get().variable(variable)).as(variable)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @ParameterizedTest(name = "no endpoint: \"{0}\"")
    @ValueSource(strings = {"", "/", "/v2", "/v1/", "/v2/_catalog/", "/v3/foo/tags/list", "v2/foo/tags/list",
            "/v2/foo", "/v2/foo/", "/v2/foo/tags", "/v2/foo/tags/list/", "/v2//tags/list",
            "/v2/foo/manifests/", "/v2/foo/manifests", "/v2/foo/manifests/a/b",
            "/v2/foo/blobs/", "/v2/foo/blobs/uploads/abc/", "/v2/foo/referrers/", "/v2/foo/unknown/x",
            "/v2/foo/tags/list?n=10"})
    void pathOutsideTheTableMatchesNothing(String path) {
        assertThat(Endpoint.match(path)).isEmpty();
    }

    static Stream<Arguments> examples() {
        return Stream.of(
                Arguments.of(Endpoint.BASE, new Object[] {}, "/v2/"),
                Arguments.of(Endpoint.CATALOG, new Object[] {}, "/v2/_catalog"),
                Arguments.of(Endpoint.TAGS, new Object[] {"library/ubuntu"}, "/v2/library/ubuntu/tags/list"),
                Arguments.of(Endpoint.MANIFEST, new Object[] {"a/blobs/b", "latest"}, "/v2/a/blobs/b/manifests/latest"),
                Arguments.of(Endpoint.MANIFEST, new Object[] {Repository.of("foo"), Digest.parse(D)},
                        "/v2/foo/manifests/" + D),
                Arguments.of(Endpoint.UPLOADS, new Object[] {"foo"}, "/v2/foo/blobs/uploads/"),
                Arguments.of(Endpoint.UPLOAD, new Object[] {"a/b", "abc"}, "/v2/a/b/blobs/uploads/abc"),
                Arguments.of(Endpoint.BLOB, new Object[] {"a/manifests/b", Digest.parse(D)},
                        "/v2/a/manifests/b/blobs/" + D),
                Arguments.of(Endpoint.REFERRERS, new Object[] {"foo", D}, "/v2/foo/referrers/" + D));
    }

    @ParameterizedTest(name = "{0}.path{1} = {2}")
    @MethodSource("examples")
    void pathBuildsTheTemplateAndMatchesBack(Endpoint endpoint, Object[] values, String expected) {
        String path = endpoint.path(values);

        assertThat(path).isEqualTo(expected);
        Endpoint.Match match = Endpoint.match(path).orElseThrow();
        assertThat(match.endpoint()).isEqualTo(endpoint);
        Matcher variables = Pattern.compile("\\{([a-z]+)}").matcher(endpoint.template());
        for (Object value : values) {
            assertThat(variables.find()).isTrue();
            assertThat(match.variable(variables.group(1))).isEqualTo(String.valueOf(value));
        }
        assertThat(variables.find()).isFalse();
    }

    @Test
    void everyEndpointHasARoundTripExample() {
        assertThat(examples().map(a -> (Endpoint) a.get()[0])).containsAll(EnumSet.allOf(Endpoint.class));
    }

    @ParameterizedTest(name = "{0} with {1} values is rejected")
    @CsvSource({"BASE, 1", "CATALOG, 1", "TAGS, 0", "TAGS, 2", "MANIFEST, 1", "MANIFEST, 3", "UPLOADS, 2",
            "UPLOAD, 1", "BLOB, 0", "BLOB, 1", "REFERRERS, 1"})
    void pathWithTheWrongNumberOfValuesIsRejected(Endpoint endpoint, int count) {
        Object[] values = new Object[count];
        Arrays.fill(values, "x");

        assertThatThrownBy(() -> endpoint.path(values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(endpoint.name());
    }

    @ParameterizedTest(name = "{0} allows {1}")
    @MethodSource("methods")
    void endpointAllowsTheSpecMethods(Endpoint endpoint, EnumSet<Endpoint.Method> methods) {
        assertThat(endpoint.methods()).containsExactlyInAnyOrderElementsOf(methods);
    }

    static Stream<Arguments> methods() {
        return Stream.of(
                Arguments.of(Endpoint.BASE, EnumSet.of(GET, HEAD)),                    // end-1
                Arguments.of(Endpoint.CATALOG, EnumSet.of(GET)),
                Arguments.of(Endpoint.TAGS, EnumSet.of(GET)),                          // end-8a, end-8b
                Arguments.of(Endpoint.MANIFEST, EnumSet.of(GET, HEAD, PUT, DELETE)),   // end-3, end-7, end-9
                Arguments.of(Endpoint.UPLOADS, EnumSet.of(POST)),                      // end-4a, end-4b, end-11
                Arguments.of(Endpoint.UPLOAD, EnumSet.of(GET, PATCH, PUT, DELETE)),    // end-13, end-5, end-6
                Arguments.of(Endpoint.BLOB, EnumSet.of(GET, HEAD, DELETE)),            // end-2, end-10
                Arguments.of(Endpoint.REFERRERS, EnumSet.of(GET)));                    // end-12a, end-12b
    }

    /** Whether {@code path} fits {@code endpoint}'s template on its own: a name is any text, other variables one segment. */
    private static boolean matchesTemplate(Endpoint endpoint, String path) {
        String regex = Pattern.quote(endpoint.template())
                .replace("{name}", "\\E.+\\Q")
                .replace("{reference}", "\\E[^/]+\\Q")
                .replace("{digest}", "\\E[^/]+\\Q")
                .replace("{uuid}", "\\E[^/]+\\Q");
        return path.matches(regex);
    }

    private static Map<String, String> variables(String spec) {
        if (spec.equals("-")) {
            return Map.of();
        }
        var result = new java.util.HashMap<String, String>();
        for (String pair : spec.split(",")) {
            String[] kv = pair.split("=", 2);
            result.put(kv[0].trim(), kv[1].trim());
        }
        return result;
    }
}
