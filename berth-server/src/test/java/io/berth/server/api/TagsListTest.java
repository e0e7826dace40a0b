package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.nextLink;
import static io.berth.server.api.RegistryHttp.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * end-8a, end-8b {@code GET /v2/<name>/tags/list[?n=<int>&last=<tagname>]}: spec "Listing Tags".
 * The tags avoid upper case and {@code _}: the spec's "lexical order (i.e. case-insensitive alphanumeric order)"
 * does not say how those sort, and for the rest every reading agrees.
 */
class TagsListTest {
    private static final String REPO = "tag-list";
    /** Pushed in this (scrambled) order. */
    private static final List<String> PUSHED = List.of("v2", "1.10", "latest", "1.9", "alpha-1", "10", "2", "beta", "v1.0");
    /** Byte order = case-insensitive order for these. */
    private static final List<String> SORTED = PUSHED.stream().sorted().toList();

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
        byte[] manifest = http.imageWithBlobs(REPO).json();
        for (String tag : PUSHED) {
            http.pushManifest(REPO, tag, OCI_MANIFEST, manifest);
        }
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static HttpResponse<byte[]> list(String query) {
        HttpResponse<byte[]> response = http.get("/v2/" + REPO + "/tags/list" + query);
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        return response;
    }

    private static List<String> tags(HttpResponse<byte[]> response) {
        JsonNode tags = json(response).path("tags");
        assertThat(tags.isArray()).as("tags array in %s", body(response)).isTrue();
        return strings(tags);
    }

    @Test
    void listNamesTheRepositoryAndAllItsTags() {
        // "Upon success, the response MUST be a json body in the following format: {"name": …, "tags": [...]}"
        HttpResponse<byte[]> response = list("");

        assertThat(json(response).path("name").asText()).isEqualTo(REPO);
        assertThat(tags(response)).containsExactlyInAnyOrderElementsOf(PUSHED);
    }

    @Test
    void tagsAreInLexicalOrder() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 lists tags in storage order, not lexical order");
        // "If the list is not empty, the tags MUST be in lexical order"
        assertThat(tags(list(""))).containsExactlyElementsOf(SORTED);
    }

    @Test
    void nLimitsTheListToTheFirstTagsAndLinksToTheNext() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores n and last on the tags list (returns every tag)");
        HttpResponse<byte[]> response = list("?n=3");

        // "the response MUST include <int> results" unless fewer exist or a Link header is provided
        assertThat(tags(response)).containsExactlyElementsOf(SORTED.subList(0, 3));
        // "A Link header MAY be included ... If included, ... with the Relation Type rel="next""
        assertThat(nextLink(response)).isPresent();
    }

    @Test
    void lastStartsTheListAfterTheNamedTag() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores n and last on the tags list");
        String last = SORTED.get(2);

        // "up to <int> tags *after* <tagname> will be returned", non-inclusively
        assertThat(tags(list("?n=2&last=" + last))).containsExactlyElementsOf(SORTED.subList(3, 5));
    }

    @Test
    void lastWithoutNReturnsEverythingAfterTheNamedTag() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores n and last on the tags list");
        // "When using the last query parameter, the n parameter is OPTIONAL."
        assertThat(tags(list("?last=" + SORTED.get(5)))).containsExactlyElementsOf(SORTED.subList(6, SORTED.size()));
    }

    @Test
    void lastThatIsNotATagStartsAfterWhereItWouldSort() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores n and last on the tags list");
        // "1.95" sorts between "1.9" and "10"
        assertThat(tags(list("?last=1.95"))).containsExactlyElementsOf(SORTED.subList(SORTED.indexOf("10"), SORTED.size()));
    }

    @Test
    void followingLinkHeadersVisitsEveryTagOnceInOrder() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 sends no Link header on the tags list");
        List<String> seen = new ArrayList<>();
        String next = "/v2/" + REPO + "/tags/list?n=2";
        for (int page = 0; next != null; page++) {
            assertThat(page).as("pages").isLessThan(20);
            HttpResponse<byte[]> response = http.get(next);
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> tags = tags(response);
            assertThat(tags.size()).isLessThanOrEqualTo(2);
            seen.addAll(tags);
            // Link targets are resolved against the request URI (RFC 5988 / RFC 3986)
            next = nextLink(response).map(link -> response.uri().resolve(link).toString()).orElse(null);
        }

        assertThat(seen).containsExactlyElementsOf(SORTED);
    }

    @Test
    void lastPageHasNoLinkHeader() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores n on the tags list");
        HttpResponse<byte[]> response = list("?n=" + PUSHED.size());

        assertThat(tags(response)).containsExactlyElementsOf(SORTED);
        HttpResponse<byte[]> beyond = list("?n=5&last=" + SORTED.get(SORTED.size() - 1));
        assertThat(tags(beyond)).isEmpty();
        assertThat(nextLink(beyond)).isEmpty();
    }

    @Test
    void nZeroReturnsAnEmptyListWithoutLink() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 ignores n=0 and returns every tag");
        // "When n is zero, this endpoint MUST return an empty list, and MUST NOT include a Link header."
        HttpResponse<byte[]> response = list("?n=0");

        assertThat(tags(response)).isEmpty();
        assertThat(nextLink(response)).isEmpty();
    }

    @Test
    void unknownRepositoryAnswers404NameUnknown() {
        // end-8a failure 404; code-9 NAME_UNKNOWN "repository name not known to registry"
        assertError(http.get("/v2/tag-list-nowhere/tags/list"), 404, "NAME_UNKNOWN");
    }

    @Test
    void repositoryWithOnlyUntaggedManifestsHasAnEmptyTagList() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers 404 NAME_UNKNOWN for a repository that holds"
                + " manifests but no tags");
        // "Assuming a repository is found, this request MUST return a 200 OK ... The list of tags MAY be empty"
        byte[] manifest = http.imageWithBlobs("tag-list/untagged").json();
        http.pushManifest("tag-list/untagged", RegistryHttp.sha256(manifest), OCI_MANIFEST, manifest);

        HttpResponse<byte[]> response = http.get("/v2/tag-list/untagged/tags/list");

        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        assertThat(tags(response)).isEmpty();
    }

    @Test
    void tagListAfterDeletingEveryTaggedManifestIsAnEmptyArray() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 answers {\"tags\":null} once the last tag is gone");
        String repo = "tag-list/emptied";
        var manifest = http.pushImage(repo, "only");
        assertThat(http.delete("/v2/" + repo + "/manifests/" + manifest.digest()).statusCode()).isEqualTo(202);

        HttpResponse<byte[]> response = http.get("/v2/" + repo + "/tags/list");

        // Either the repository is still found (200, empty array) or it is gone with its last manifest (404);
        // never a null list.
        if (response.statusCode() == 200) {
            assertThat(tags(response)).isEmpty();
        } else {
            assertError(response, 404, "NAME_UNKNOWN");
        }
    }
}
