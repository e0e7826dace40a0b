package io.berth.bench;

import java.util.List;
import java.util.stream.Stream;

/**
 * The mixed phase: whole images pushed by many concurrent clients, then all pulled by as many (digests verified as the
 * bodies stream in). Each client is a {@link PlainHttp} connection, so that 50 client threads cost the machine little.
 */
final class Mixed {
    private final Run run;

    Mixed(Run run) {
        this.run = run;
    }

    void pushThenPull() throws Exception {
        Registry registry = run.registry;
        List<Content.Image> images = run.content.images;
        int n = images.size();
        double push = run.parallelPlain(n, n, (http, i) -> {
            Content.Image image = images.get(i);
            String repo = String.format("mixed/img-%02d", i);
            boolean ok = registry.pushMonolithic(http, repo, image.config());
            for (Content.Blob layer : image.layers()) {
                ok = ok && registry.pushMonolithic(http, repo, layer);
            }
            return ok && registry.putManifest(http, repo, "v1", image.manifest());
        }).seconds();
        double pull = run.parallelPlain(n, n, (http, i) -> {
            Content.Image image = images.get(i);
            String repo = String.format("mixed/img-%02d", i);
            boolean ok = registry.fetch(http, "/v2/" + repo + "/manifests/v1", Content.OCI_MANIFEST, image.manifestDigest(),
                    image.manifest().length, "GET manifest");
            for (Content.Blob blob : Stream.concat(Stream.of(image.config()), image.layers().stream()).toList()) {
                ok = ok && registry.fetch(http, "/v2/" + repo + "/blobs/" + blob.digest(), null, blob.digest(), blob.size(), "GET blob");
            }
            return ok;
        }).seconds();
        String what = n + " images (config + 3 × " + Sizes.bytes(run.sizes.imageLayer()) + "), " + n + " concurrent clients";
        run.fig("mixed-push", "mixed: push " + what, "s", false, push);
        run.fig("mixed-pull", "mixed: then pull them all, " + n + " concurrent clients", "s", false, pull);
    }
}
