package io.berth.bench;

import static io.berth.bench.Pushed.TAGS_REPO;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The listing phase (Berth only): Berth's listing API under /api/v1/ over the same data as tags-list and catalog (the
 * tags repository and the cat/ repositories): artifacts first page, a middle page (cursor {@code <repository>|t:<tag>}),
 * repositories first page, one artifact in full. Each answer is checked once (200, JSON, entry count) before its wrk run.
 */
final class ListingApi {
    private final Run run;
    private final Registry registry;
    private final Sizes sizes;
    private double lastCheckMs;

    ListingApi(Run run) {
        this.run = run;
        this.registry = run.registry;
        this.sizes = run.sizes;
    }

    void listing() throws Exception {
        int total = sizes.tagCount();
        run.pushed.ensureTags(total);
        run.pushed.ensureRepos();
        int n = Math.min(100, Math.min(total / 10, sizes.repoCount() / 2));
        String repo = "repository=" + encode(TAGS_REPO);

        String first = "/api/v1/artifacts?" + repo + "&n=" + n;
        Optional<Registry.Page> firstPage = listingPage(first, "artifacts", n, Content.tag(0), true);
        double firstMs = lastCheckMs;
        // The cursor the server itself puts into the first page's Link must be the one built for the middle page.
        String expectedCursor = TAGS_REPO + "|t:" + Content.tag(n - 1);
        firstPage.flatMap(Registry.Page::next).ifPresent(link -> {
            String last = link.replaceAll(".*[?&]last=([^&]*).*", "$1");
            if (!URLDecoder.decode(last, StandardCharsets.UTF_8).equals(expectedCursor)) {
                run.tally.add(run.phase, "GET artifacts first page → Link cursor " + last + ", expected " + expectedCursor, 1);
            }
        });
        int middleAfter = total / 2 - 1;
        String middle = "/api/v1/artifacts?" + repo + "&n=" + n + "&last=" + encode(TAGS_REPO + "|t:" + Content.tag(middleAfter));
        Optional<Registry.Page> middlePage = listingPage(middle, "artifacts", n, Content.tag(middleAfter + 1), true);
        double middleMs = lastCheckMs;
        String repos = "/api/v1/repositories?n=" + n;
        Optional<Registry.Page> reposPage = listingPage(repos, "repositories", n, null, true);
        double reposMs = lastCheckMs;
        String reference = Content.tag(total / 2);
        String one = "/api/v1/artifact?" + repo + "&reference=" + reference;
        long t0 = System.nanoTime();
        Optional<Registry.Page> artifact = registry.getJson(run.client(0), one, "GET listing artifact");
        double oneMs = (System.nanoTime() - t0) / 1e6;
        artifact.ifPresent(p -> {
            JsonNode a = p.json();
            if (!reference.equals(a.path("tag").asText()) || !a.path("manifest").isObject() || a.path("layers").size() != 1
                    || a.path("tags").size() != 1 || !reference.equals(a.path("tags").path(0).asText())) {
                run.tally.add(run.phase, "GET listing artifact " + reference + " → tag " + a.path("tag") + ", " + a.path("layers").size()
                        + " layers, tags " + a.path("tags") + "; expected its tag, its manifest, 1 layer", 1);
            }
        });

        String of = " (" + total + " tags), 8 connections";
        run.load("listing-artifacts-first", "listing API (Berth only): artifacts first page n=" + n + of,
                slowWrk("listing-artifacts-first", first, firstMs), bytes(firstPage));
        run.load("listing-artifacts-middle", "listing API (Berth only): artifacts page n=" + n + " after tag "
                + Content.tag(middleAfter) + of, slowWrk("listing-artifacts-middle", middle, middleMs), bytes(middlePage));
        run.load("listing-repositories", "listing API (Berth only): repositories first page n=" + n + " (" + sizes.repoCount()
                + "+ repositories), 8 connections", slowWrk("listing-repositories", repos, reposMs), bytes(reposPage));
        run.load("listing-artifact", "listing API (Berth only): one artifact in full, 8 connections",
                slowWrk("listing-artifact", one, oneMs), bytes(artifact));
    }

    /**
     * wrk at 8 connections on a path whose single answer took {@code singleMs}: when answers are slow (8 of them
     * in flight take about 8 × that on 2 cores), the run lasts long enough for about 3 answers per connection, up
     * to 30 s (3 s with --quick), and wrk's timeout grows to twice a round of 8; each run (warm-up too) is followed by one GET
     * that waits for the server to finish what wrk left behind, so the next run starts on an idle server.
     */
    private LoadTools.Load slowWrk(String label, String path, double singleMs) throws Exception {
        Options options = run.options;
        double round8 = 8 * singleMs / 1000;
        double seconds = Math.max(options.loadSeconds, Math.min(options.quick ? 3 : 30, Math.ceil(3 * round8)));
        int timeout = (int) Math.max(10, Math.ceil(2 * round8));
        if (seconds > options.loadSeconds) {
            run.report.note(String.format("%s: one answer of %s took %.0f ms, so its wrk run lasted %.0f s (wrk --timeout %d s)",
                    run.server.name, label, singleMs, seconds, timeout));
        }
        String url = run.server.base + path;
        String tag = run.server.name + "-r" + run.round + "-" + label;
        if (!options.quick) {
            run.tools.wrk(tag + "-warmup", url, 8, 1, timeout, null);
            drain(path);
        }
        double cpu0 = run.server.cpuSeconds();
        LoadTools.Load l = run.tools.wrk(tag, url, 8, seconds, timeout, null);
        l = l.withServerCpu(run.server.cpuSeconds() - cpu0); // wrk's last answers may still be on their way: drained below
        drain(path);
        return l;
    }

    private void drain(String path) {
        run.setup("wait for the server to finish the answers wrk left");
        registry.getJson(run.client(0), path, "GET after wrk");
        run.endSetup();
    }

    /** GET a listing page once: 200, JSON, {@code n} entries under {@code key}, a Link when {@code more}. */
    private Optional<Registry.Page> listingPage(String path, String key, int n, String firstTag, boolean more) {
        long t0 = System.nanoTime();
        Optional<Registry.Page> page = registry.getJson(run.client(0), path, "GET listing " + key);
        lastCheckMs = (System.nanoTime() - t0) / 1e6;
        page.ifPresent(p -> {
            JsonNode entries = p.json().path(key);
            if (entries.size() != n) {
                run.tally.add(run.phase, "GET " + path + " → " + entries.size() + " " + key + ", expected " + n, 1);
            }
            if (firstTag != null && !firstTag.equals(entries.path(0).path("tag").asText())) {
                run.tally.add(run.phase, "GET " + path + " → first tag " + entries.path(0).path("tag") + ", expected " + firstTag, 1);
            }
            if (more && p.next().isEmpty()) {
                run.tally.add(run.phase, "GET " + path + " → no Link to a next page", 1);
            }
        });
        return page;
    }

    private static double bytes(Optional<Registry.Page> page) {
        return page.map(Registry.Page::bytes).orElse(0) * 0.95;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
