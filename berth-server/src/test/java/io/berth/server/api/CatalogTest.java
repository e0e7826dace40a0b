package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.nextLink;
import static io.berth.server.api.RegistryHttp.strings;
import static org.assertj.core.api.Assertions.assertThat;

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
 * {@code GET /v2/_catalog[?n=<int>&last=<name>]}. Not part of distribution-spec v1.1.1: it is the Docker Registry
 * HTTP API V2 listing (spec appendix apdx-1) that every registry keeps; its paging works like the tags list.
 * This class owns its registry, so the catalog holds exactly the repositories pushed here.
 */
class CatalogTest {
    private static final List<String> REPOSITORIES = List.of("zeta", "catalog/beta/two", "alpha", "catalog/beta/one",
            "gamma-ray", "catalog/delta");
    private static final List<String> SORTED = REPOSITORIES.stream().sorted().toList();

    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
        for (String repository : REPOSITORIES) {
            http.pushImage(repository, "latest");
        }
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static List<String> repositories(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        JsonNode repositories = json(response).path("repositories");
        assertThat(repositories.isArray()).as("repositories array in %s", body(response)).isTrue();
        return strings(repositories);
    }

    @Test
    void catalogListsEveryRepositoryInLexicalOrder() {
        assertThat(repositories(http.get("/v2/_catalog"))).containsExactlyElementsOf(SORTED);
    }

    @Test
    void nLimitsTheListAndLinksToTheNextPage() {
        HttpResponse<byte[]> response = http.get("/v2/_catalog?n=2");

        assertThat(repositories(response)).containsExactlyElementsOf(SORTED.subList(0, 2));
        assertThat(nextLink(response)).isPresent();
    }

    @Test
    void lastStartsAfterTheNamedRepository() {
        String last = SORTED.get(1);

        assertThat(repositories(http.get("/v2/_catalog?n=3&last=" + last))).containsExactlyElementsOf(SORTED.subList(2, 5));
    }

    @Test
    void followingLinkHeadersVisitsEveryRepositoryOnce() {
        List<String> seen = new ArrayList<>();
        String next = "/v2/_catalog?n=4";
        for (int page = 0; next != null; page++) {
            assertThat(page).as("pages").isLessThan(20);
            HttpResponse<byte[]> response = http.get(next);
            List<String> repositories = repositories(response);
            assertThat(repositories.size()).isLessThanOrEqualTo(4);
            seen.addAll(repositories);
            next = nextLink(response).map(link -> response.uri().resolve(link).toString()).orElse(null);
        }

        assertThat(seen).containsExactlyElementsOf(SORTED);
    }

    @Test
    void pageAfterTheLastRepositoryIsEmptyWithoutLink() {
        HttpResponse<byte[]> response = http.get("/v2/_catalog?n=3&last=" + SORTED.get(SORTED.size() - 1));

        assertThat(repositories(response)).isEmpty();
        assertThat(nextLink(response)).isEmpty();
    }

    @Test
    void nZeroReturnsAnEmptyListWithoutLink() {
        // As for tags: "When n is zero, this endpoint MUST return an empty list, and MUST NOT include a Link header."
        HttpResponse<byte[]> response = http.get("/v2/_catalog?n=0");

        assertThat(repositories(response)).isEmpty();
        assertThat(nextLink(response)).isEmpty();
    }
}
