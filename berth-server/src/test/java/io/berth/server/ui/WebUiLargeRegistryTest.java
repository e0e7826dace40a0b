package io.berth.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.api.UiSeed;
import io.berth.server.testing.BerthFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with 100,000 tags and a registry with 10,000 repositories: the pages ask the API for one page at a
 * time (n=100) and "Load more" for the next, so the first rows render fast whatever the size. The rows are written
 * straight into the SQLite metadata (pushing 100,000 tags over HTTP would take minutes), all pointing at one real
 * pushed manifest.
 */
class WebUiLargeRegistryTest {
    private static final String BIG = "big/app";
    private static final int TAGS = 100_000;
    private static final int REPOSITORIES = 10_000;
    /** The goal is 300 ms to the first rows; the bound leaves room for a busy 2-core CI machine. */
    private static final double FIRST_ROWS_BOUND_MS = 1000;

    @TempDir
    static Path dataDir;
    static BerthFixture registry;
    static Browser browser;

    @BeforeAll
    static void start() throws SQLException {
        registry = BerthFixture.start(dataDir);
        UiSeed seed = new UiSeed(registry.baseUri());
        seed.pushImage(BIG, "t000000");
        seed.pushImage("bulk/template", "1.0");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("berth.db"));
             Statement statement = db.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 10000");
            db.setAutoCommit(false);
            long big = repositoryId(db, BIG);
            statement.executeUpdate("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + (TAGS - 1) + ")"
                    + " INSERT INTO tags (repository_id, name, manifest_digest, updated_at)"
                    + " SELECT " + big + ", printf('t%06d', i), t.manifest_digest, t.updated_at - i FROM n"
                    + " JOIN tags t ON t.repository_id = " + big + " AND t.name = 't000000'");
            long template = repositoryId(db, "bulk/template");
            statement.executeUpdate("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + REPOSITORIES + ")"
                    + " INSERT INTO repositories (name, created_at) SELECT printf('bulk/repo-%05d', i), 0 FROM n");
            statement.executeUpdate("INSERT INTO manifests (repository_id, digest, media_type, content, size, artifact_type,"
                    + " subject_digest, annotations_json, pushed_at, type_id, platforms, total_size)"
                    + " SELECT r.id, m.digest, m.media_type, m.content, m.size, m.artifact_type, m.subject_digest,"
                    + " m.annotations_json, m.pushed_at, m.type_id, m.platforms, m.total_size"
                    + " FROM repositories r JOIN manifests m ON m.repository_id = " + template
                    + " WHERE r.name LIKE 'bulk/repo-%'");
            statement.executeUpdate("INSERT INTO tags (repository_id, name, manifest_digest, updated_at)"
                    + " SELECT r.id, '1.0', t.manifest_digest, t.updated_at FROM repositories r"
                    + " JOIN tags t ON t.repository_id = " + template + " WHERE r.name LIKE 'bulk/repo-%'");
            // The counts the listing reads (V12), as the pushes would have kept them.
            statement.executeUpdate("UPDATE repository_type_counts SET tags = tags + " + (TAGS - 1)
                    + " WHERE repository_id = " + big);
            statement.executeUpdate("INSERT INTO repository_type_counts (repository_id, type_id, repository_name,"
                    + " manifests, tags, untagged) SELECT r.id, c.type_id, r.name, c.manifests, c.tags, c.untagged"
                    + " FROM repositories r JOIN repository_type_counts c ON c.repository_id = " + template
                    + " WHERE r.name LIKE 'bulk/repo-%'");
            statement.executeUpdate("INSERT INTO repository_totals (repository_id, manifest_bytes, last_push_at)"
                    + " SELECT r.id, t.manifest_bytes, t.last_push_at FROM repositories r"
                    + " JOIN repository_totals t ON t.repository_id = " + template + " WHERE r.name LIKE 'bulk/repo-%'");
            db.commit();
        }
        browser = Browser.start("http://" + registry.hostPort());
    }

    private static long repositoryId(Connection db, String name) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("SELECT id FROM repositories WHERE name = ?")) {
            query.setString(1, name);
            try (ResultSet result = query.executeQuery()) {
                assertThat(result.next()).isTrue();
                return result.getLong(1);
            }
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            registry.close();
        }
    }

    @Test
    void aRepositoryWith100000TagsShowsItsFirstPageFastAndLoadsMoreOnDemand() {
        double best = firstRows("/r/" + BIG);

        assertThat(browser.all("table.artifact-list tbody tr")).hasSize(100);
        assertThat(browser.find(".result-count").getText()).isEqualTo("100 artifacts shown, more to load");
        assertThat(browser.find(".facts").getText()).contains("100,000 artifacts");
        assertThat(browser.all(".chips .chip")).extracting(e -> e.getText()).contains("OCI image\n100,000");
        System.out.printf("first rows of a 100,000-tag repository after %.0f ms%n", best);
        assertThat(best).as("ms from navigation to the first rows").isLessThan(FIRST_ROWS_BOUND_MS);
        browser.screenshot("repository-100000-tags", 1400);

        browser.find("button.load-more").click();
        browser.waitUntil(d -> browser.all("table.artifact-list tbody tr").size() == 200);
        assertThat(browser.all("table.artifact-list th.reference a").get(199).getText()).isEqualTo(BIG + ":t000199");
        assertThat(browser.find(".result-count").getText()).isEqualTo("200 artifacts shown, more to load");
    }

    @Test
    void aRegistryWith10000RepositoriesShowsItsFirstPageFastAndLoadsMoreOnDemand() {
        double best = firstRows("/");

        assertThat(browser.all("table.repository-list tbody tr")).hasSize(100);
        assertThat(browser.find(".result-count").getText()).isEqualTo("100 repositories shown, more to load");
        System.out.printf("first rows of 10,002 repositories after %.0f ms%n", best);
        assertThat(best).as("ms from navigation to the first rows").isLessThan(FIRST_ROWS_BOUND_MS);
        browser.screenshot("repositories-10000", 1400);

        browser.find("button.load-more").click();
        browser.waitUntil(d -> browser.all("table.repository-list tbody tr").size() == 200);

        browser.open("/?q=repo-0999");
        assertThat(browser.all("table.repository-list tbody tr")).hasSize(10);
    }

    /** The best of three loads (the first warms the server): ms from navigation start to the first rows. */
    private static double firstRows(String path) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            browser.open(path);
            Number mark = (Number) browser.script("const m = performance.getEntriesByName('berth:first-rows');"
                    + " return m.length ? m[0].startTime : null;");
            assertThat(mark).as("the page marks its first rows").isNotNull();
            best = Math.min(best, mark.doubleValue());
        }
        return best;
    }
}
