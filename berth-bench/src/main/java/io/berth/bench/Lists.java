package io.berth.bench;

import static io.berth.bench.Pushed.TAGS_REPO;

import java.util.Optional;

/**
 * The registry API's lists: the tags list of the big tags repository (walked page by page, unpaged and one middle page
 * under wrk) and the catalog (its repositories created, walked, its first page under wrk).
 */
final class Lists {
    private final Run run;
    private final Registry registry;
    private final Sizes sizes;

    Lists(Run run) {
        this.run = run;
        this.registry = run.registry;
        this.sizes = run.sizes;
    }

    void tags() throws Exception {
        int total = sizes.tagCount();
        int page = Math.max(1, total / 10);
        run.pushed.ensureTags(total);
        String base = "/v2/" + TAGS_REPO + "/tags/list";
        Optional<Registry.Page> all = registry.getJson(run.client(0), base, "GET tags list");
        int allBytes = all.map(Registry.Page::bytes).orElse(0);
        int count = all.map(p -> p.json().path("tags").size()).orElse(-1);
        if (count != total) {
            run.tally.add(run.phase, "GET tags list → " + count + " tags, expected " + total, 1);
        }
        // Walk every page of n=page, following Link.
        long t0 = System.nanoTime();
        Optional<String> next = Optional.of(base + "?n=" + page);
        int seen = 0;
        int pages = 0;
        int firstPage = -1;
        while (next.isPresent() && pages < total + 2) {
            Optional<Registry.Page> p = registry.getJson(run.client(0), next.get(), "GET tags page");
            if (p.isEmpty()) {
                break;
            }
            int n = p.get().json().path("tags").size();
            firstPage = firstPage < 0 ? n : firstPage;
            seen += n;
            pages++;
            next = p.get().next();
        }
        double walkMs = (System.nanoTime() - t0) / 1e6;
        if (seen != total) {
            run.tally.add(run.phase, "tags pages (n=" + page + ") → " + seen + " tags in " + pages + " pages, expected " + total, 1);
        }
        if (firstPage > page) {
            run.report.note(run.server.name + " ignores n on the tags list: ?n=" + page + " answered " + firstPage
                    + " tags in one page, so its paged figures measure the whole list");
        }
        run.fig("tags-walk", "tags list, walk all pages of n=" + page + " (" + total + " tags), 1 client", "ms", false, walkMs);
        run.load("tags-all", "tags list unpaged (" + total + " tags), 8 connections", run.wrk("tags-all", base, 8, null), allBytes * 0.95);
        String middle = base + "?n=" + page + "&last=" + Content.tag(total / 2 - 1);
        run.load("tags-page", "tags list one page n=" + page + " (middle), 8 connections", run.wrk("tags-page", middle, 8, null), 0);
    }

    void catalog() throws Exception {
        int repos = sizes.repoCount();
        run.fig("repo-create", "create repository (2 mounts + manifest PUT), 8 clients", "repos/s", true, run.pushed.createRepos());
        // Distribution 2.8 refuses n > 1000 on the catalog (PAGINATION_NUMBER_INVALID), so both are read in pages.
        int pageSize = Math.max(1, Math.min(1000, repos / 2));
        String first = "/v2/_catalog?n=" + pageSize;
        long t0 = System.nanoTime();
        Optional<String> next = Optional.of(first);
        long catalogued = 0;
        int pages = 0;
        int firstBytes = 0;
        while (next.isPresent() && pages < repos + 10) {
            Optional<Registry.Page> page = registry.getJson(run.client(0), next.get(), "GET catalog page");
            if (page.isEmpty()) {
                break;
            }
            firstBytes = pages == 0 ? page.get().bytes() : firstBytes;
            for (var name : page.get().json().path("repositories")) {
                catalogued += name.asText().startsWith("cat/") ? 1 : 0;
            }
            pages++;
            next = page.get().next();
        }
        double walkMs = (System.nanoTime() - t0) / 1e6;
        if (catalogued != repos) {
            run.tally.add(run.phase, "catalog pages (n=" + pageSize + ") → " + catalogued + " cat/ repositories in " + pages
                    + " pages, expected " + repos, 1);
        }
        run.fig("catalog-walk", "catalog, walk all pages of n=" + pageSize + " (" + repos + "+ repositories), 1 client", "ms", false, walkMs);
        run.load("catalog", "catalog first page n=" + pageSize + ", 8 connections", run.wrk("catalog", first, 8, null), firstBytes * 0.95);
    }
}
