package io.berth.bench;

import java.util.List;

/** The mixed phase: whole images pushed by many concurrent clients, then all pulled by as many. */
final class Mixed {
    private final Run run;

    Mixed(Run run) {
        this.run = run;
    }

    void pushThenPull() throws Exception {
        Registry registry = run.registry;
        List<Content.Image> images = run.content.images;
        int n = images.size();
        double push = run.parallel(n, n, (c, i) -> {
            Content.Image image = images.get(i);
            String repo = String.format("mixed/img-%02d", i);
            boolean ok = registry.pushMonolithic(c, repo, image.config());
            for (Content.Blob layer : image.layers()) {
                ok = ok && registry.pushMonolithic(c, repo, layer);
            }
            return ok && registry.putManifest(c, repo, "v1", image.manifest());
        });
        double pull = run.parallel(n, n, (c, i) -> {
            Content.Image image = images.get(i);
            String repo = String.format("mixed/img-%02d", i);
            boolean ok = registry.getManifest(c, repo, "v1", image.manifestDigest()) != null
                    && registry.getBlob(c, repo, image.config(), true) > 0;
            for (Content.Blob layer : image.layers()) {
                ok = ok && registry.getBlob(c, repo, layer, true) > 0;
            }
            return ok;
        });
        String what = n + " images (config + 3 × " + Sizes.bytes(run.sizes.imageLayer()) + "), " + n + " concurrent clients";
        run.fig("mixed-push", "mixed: push " + what, "s", false, push);
        run.fig("mixed-pull", "mixed: then pull them all, " + n + " concurrent clients", "s", false, pull);
    }
}
