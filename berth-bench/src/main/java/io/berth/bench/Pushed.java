package io.berth.bench;

import java.util.BitSet;
import java.util.List;

/**
 * What one run has pushed to its server (big blobs, the tags repository, the catalog's repositories), and pushing
 * what a phase needs first, unmeasured, when an earlier phase has not (e.g. with --only).
 */
final class Pushed {
    static final String TAGS_REPO = "bench/tags";
    static final String BIG_REPO = "bench/big";
    static final String SMALL_REPO = "bench/small";

    private final Run run;
    private final Registry registry;
    private final Content content;
    final BitSet big = new BitSet();
    final BitSet tags = new BitSet();
    private boolean tagBase;
    private boolean repos;

    Pushed(Run run) {
        this.run = run;
        this.registry = run.registry;
        this.content = run.content;
    }

    void ensureBig(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            if (!big.get(i)) {
                run.setup("push big blob " + i);
                big.set(i, registry.pushMonolithic(run.client(0), BIG_REPO, content.big.get(i)));
                run.endSetup();
            }
        }
    }

    void ensureTagBase() {
        if (!tagBase) {
            run.setup("push config and layer to " + TAGS_REPO);
            tagBase = registry.pushMonolithic(run.client(0), TAGS_REPO, content.tagConfig)
                    & registry.pushMonolithic(run.client(0), TAGS_REPO, content.tagLayer);
            run.endSetup();
        }
    }

    /** Pushes the manifests of tags {@code from} … {@code to - 1} on {@code threads} clients; returns seconds. */
    double pushTags(int threads, int from, int to) throws InterruptedException {
        return run.parallel(threads, to - from, (c, i) -> {
            boolean ok = registry.putManifest(c, TAGS_REPO, Content.tag(from + i), content.tagManifest(from + i));
            if (ok) {
                synchronized (tags) {
                    tags.set(from + i);
                }
            }
            return ok;
        }).seconds();
    }

    void ensureTags(int to) throws InterruptedException {
        ensureTagBase();
        int missing = to - tags.get(0, to).cardinality();
        if (missing > 0) {
            run.setup("push " + missing + " tags");
            int first = tags.nextClearBit(0);
            pushTags(8, first, to);
            run.endSetup();
        }
    }

    /** Creates the catalog's repositories cat/r0000 … (8 clients); returns repositories per second. */
    double createRepos() throws InterruptedException {
        ensureTagBase();
        int count = run.sizes.repoCount();
        byte[] manifest = Content.manifest(content.tagConfig, List.of(content.tagLayer), "catalog");
        Run.Batch batch = run.parallel(8, count, (c, i) -> {
            String repo = String.format("cat/r%04d", i);
            return registry.mount(c, repo, content.tagConfig.digest(), TAGS_REPO)
                    && registry.mount(c, repo, content.tagLayer.digest(), TAGS_REPO)
                    && registry.putManifest(c, repo, "latest", manifest);
        });
        repos = true;
        return batch.succeeded() / batch.seconds();
    }

    void ensureRepos() throws InterruptedException {
        if (!repos) {
            run.setup("create " + run.sizes.repoCount() + " repositories");
            createRepos();
            run.endSetup();
        }
    }
}
