package io.berth.bench;

import java.util.List;

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
        Run.Batch pushed = uploads.pushSmall(8, REPO, small);
        check(pushed.succeeded() == small.size(), (small.size() - pushed.succeeded()) + " small blobs");
        check(run.registry.pushMonolithic(run.client(0), REPO, content.tagConfig)
                && run.registry.pushMonolithic(run.client(0), REPO, content.tagLayer), "config and layer");
        int manifests = sizes.manifestPut1();
        Run.Batch tagged = run.parallel(8, manifests, (c, i) -> run.registry.putManifest(c, REPO, "w" + i,
                Content.manifest(content.tagConfig, List.of(content.tagLayer), "warm-up " + i)));
        check(tagged.succeeded() == manifests, (manifests - tagged.succeeded()) + " manifests");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("warm-up: " + what + " failed");
        }
    }
}
