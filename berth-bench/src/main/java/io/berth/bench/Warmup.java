package io.berth.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The warm-up phase: unmeasured work of each kind the first phases measure, before any of them, so that they measure a
 * server in its steady state rather than its first seconds. A Go server is warm from the start; a JVM's compilers
 * still work for several seconds of traffic (on this machine C2 took 40 % of a core through Berth's first five big
 * uploads). Everything goes to its own repository, so no later figure sees it. Its CPU and peak RSS are in the phase
 * table like any phase's; start-up is measured on its own before it.
 */
final class Warmup {
    static final String REPO = "bench/warmup";
    private static final int BIG_UPLOADS = 4;

    private final Run run;
    private final Content content;
    private final Sizes sizes;

    Warmup(Run run) {
        this.run = run;
        this.content = run.content;
        this.sizes = run.sizes;
    }

    /** Big uploads by curl, small blobs and distinct manifests by 8 clients; fails the phase on any failed push. */
    void run(Uploads uploads) throws Exception {
        int big = run.options.quick ? 1 : BIG_UPLOADS;
        for (int i = 0; i < big; i++) {
            check(uploads.pushWithCurl(run.client(0), REPO, content.bigWarmup), "big upload");
        }
        List<Content.Blob> small = Content.smallBatch(sizes.smallCount(), sizes.smallBlob(), 90);
        AtomicInteger pushed = new AtomicInteger();
        run.parallelPlain(8, small.size(), (http, i) -> count(run.registry.pushMonolithic(http, REPO, small.get(i)), pushed));
        check(pushed.get() == small.size(), (small.size() - pushed.get()) + " small blobs");
        check(run.registry.pushMonolithic(run.client(0), REPO, content.tagConfig)
                && run.registry.pushMonolithic(run.client(0), REPO, content.tagLayer), "config and layer");
        AtomicInteger tagged = new AtomicInteger();
        int manifests = sizes.manifestPut1();
        run.parallel(8, manifests, (c, i) -> count(run.registry.putManifest(c, REPO, "w" + i,
                Content.manifest(content.tagConfig, List.of(content.tagLayer), "warm-up " + i)), tagged));
        check(tagged.get() == manifests, (manifests - tagged.get()) + " manifests");
    }

    private static boolean count(boolean ok, AtomicInteger done) {
        if (ok) {
            done.incrementAndGet();
        }
        return ok;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("warm-up: " + what + " failed");
        }
    }
}
