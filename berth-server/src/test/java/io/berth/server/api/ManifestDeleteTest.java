package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** end-9 {@code DELETE /v2/<name>/manifests/<reference>}: spec "Deleting tags" and "Deleting Manifests". */
class ManifestDeleteTest {
    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static HttpResponse<byte[]> deleteManifest(String repo, String reference) {
        return http.delete("/v2/" + repo + "/manifests/" + reference);
    }

    @Test
    void deleteByDigestAnswers202AndTheManifestAndItsTagsAreGone() {
        String repo = "delete/bydigest";
        Descriptor manifest = http.pushImage(repo, "one");
        http.pushManifest(repo, "two", OCI_MANIFEST, http.getManifest(repo, "one").body());

        HttpResponse<byte[]> delete = deleteManifest(repo, manifest.digest());

        // "Upon success, the registry MUST respond with a 202 Accepted code."
        assertThat(delete.statusCode()).as(body(delete)).isEqualTo(202);
        // "Once deleted, a GET to /v2/<name>/manifests/<digest> and any tag pointing to that digest will return a 404."
        assertError(http.getManifest(repo, manifest.digest()), 404, "MANIFEST_UNKNOWN");
        assertError(http.getManifest(repo, "one"), 404, "MANIFEST_UNKNOWN");
        assertError(http.getManifest(repo, "two"), 404, "MANIFEST_UNKNOWN");
        assertThat(http.headManifest(repo, manifest.digest()).statusCode()).isEqualTo(404);
    }

    @Test
    void deleteByDigestRemovesTheTagsFromTheTagList() {
        String repo = "delete/taglist";
        Descriptor doomed = http.pushImage(repo, "doomed");
        http.pushImage(repo, "kept");

        assertThat(deleteManifest(repo, doomed.digest()).statusCode()).isEqualTo(202);

        HttpResponse<byte[]> tags = http.get("/v2/" + repo + "/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(RegistryHttp.strings(RegistryHttp.json(tags).path("tags"))).containsExactly("kept");
    }

    @Test
    void deleteInOneRepositoryLeavesTheSameManifestInAnother() {
        Descriptor first = http.pushImage("delete/first", "v1");
        byte[] bytes = http.getManifest("delete/first", "v1").body();
        // The second repository needs the blobs too: mount them from the first.
        JsonNode tree = RegistryHttp.json(http.getManifest("delete/first", "v1"));
        for (String digest : new String[] {tree.path("config").path("digest").asText(),
                tree.path("layers").get(0).path("digest").asText()}) {
            assertThat(http.post("/v2/delete/second/blobs/uploads/?mount=" + digest + "&from=delete/first").statusCode())
                    .isIn(201, 202);
        }
        HttpResponse<byte[]> push = http.putManifest("delete/second", "v1", OCI_MANIFEST, bytes);
        assumeTrue(push.statusCode() == 201, "cross-repository mount is needed to set this test up");

        assertThat(deleteManifest("delete/first", first.digest()).statusCode()).isEqualTo(202);

        assertThat(http.getManifest("delete/second", first.digest()).body()).isEqualTo(bytes);
        assertThat(http.getManifest("delete/second", "v1").statusCode()).isEqualTo(200);
    }

    @Test
    void deleteOfUnknownDigestAnswers404() {
        http.pushImage("delete/unknown", "v1");

        HttpResponse<byte[]> delete = deleteManifest("delete/unknown", RegistryHttp.unknownDigest());

        assertError(delete, 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void deleteTwiceAnswers404TheSecondTime() {
        Descriptor manifest = http.pushImage("delete/twice", "v1");
        assertThat(deleteManifest("delete/twice", manifest.digest()).statusCode()).isEqualTo(202);

        assertError(deleteManifest("delete/twice", manifest.digest()), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void deleteInUnknownRepositoryAnswers404() {
        // "If the repository does not exist, the response MUST return 404 Not Found."
        HttpResponse<byte[]> delete = deleteManifest("delete/nowhere", RegistryHttp.unknownDigest());

        assertThat(delete.statusCode()).isEqualTo(404);
        assertThat(RegistryHttp.errorCode(delete)).isIn("NAME_UNKNOWN", "MANIFEST_UNKNOWN");
    }

    @Test
    void deleteByTagIsEitherDoneWith202OrRefusedWith400Or405() {
        // "Upon success, the registry MUST respond with a 202 Accepted code. If tag deletion is disabled, the
        // registry MUST respond with either a 400 Bad Request or a 405 Method Not Allowed."
        http.pushImage("delete/tag-either", "v1");

        HttpResponse<byte[]> delete = deleteManifest("delete/tag-either", "v1");

        assertThat(delete.statusCode()).as(body(delete)).isIn(202, 400, 405);
    }

    @Test
    void deleteByTagRemovesOnlyTheTag() {
        assumeTrue(registry.isBerth(), "tag deletion is a MAY; Distribution 2.8 refuses it (400 DIGEST_INVALID)");
        String repo = "delete/tag";
        Descriptor manifest = http.pushImage(repo, "gone");
        http.pushManifest(repo, "stays", OCI_MANIFEST, http.getManifest(repo, "gone").body());

        HttpResponse<byte[]> delete = deleteManifest(repo, "gone");

        assertThat(delete.statusCode()).as(body(delete)).isEqualTo(202);
        // "Once deleted, a GET to /v2/<name>/manifests/<tag> will return a 404."
        assertError(http.getManifest(repo, "gone"), 404, "MANIFEST_UNKNOWN");
        assertThat(http.getManifest(repo, manifest.digest()).statusCode()).isEqualTo(200);
        assertThat(http.getManifest(repo, "stays").statusCode()).isEqualTo(200);
    }

    @Test
    void deleteOfUnknownTagAnswers404() {
        assumeTrue(registry.isBerth(), "Distribution 2.8 refuses tag deletion altogether (400 DIGEST_INVALID)");
        http.pushImage("delete/unknown-tag", "v1");

        assertError(deleteManifest("delete/unknown-tag", "never-pushed"), 404, "MANIFEST_UNKNOWN");
    }
}
