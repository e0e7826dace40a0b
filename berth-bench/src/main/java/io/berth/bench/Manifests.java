package io.berth.bench;

import static io.berth.bench.Pushed.TAGS_REPO;

import java.util.List;

/** The manifest phases: PUTs of distinct manifests to new tags (1 and 8 clients), GET and HEAD by tag, blob HEAD. */
final class Manifests {
    private final Run run;
    private final Registry registry;
    private final Content content;
    private final Sizes sizes;
    private final Pushed pushed;

    Manifests(Run run) {
        this.run = run;
        this.registry = run.registry;
        this.content = run.content;
        this.sizes = run.sizes;
        this.pushed = run.pushed;
    }

    void put1() throws Exception {
        pushed.ensureTagBase();
        int n = sizes.manifestPut1();
        int before = pushed.tags.cardinality();
        double s = pushed.pushTags(1, 0, n);
        run.fig("manifest-put-1", "manifest PUT (distinct manifests, new tags), 1 client", "manifests/s", true,
                (pushed.tags.cardinality() - before) / s);
    }

    void put8() throws Exception {
        pushed.ensureTagBase();
        int before = pushed.tags.cardinality();
        double s = pushed.pushTags(8, sizes.manifestPut1(), sizes.tagCount());
        run.fig("manifest-put-8", "manifest PUT (distinct manifests, new tags), 8 clients", "manifests/s", true,
                (pushed.tags.cardinality() - before) / s);
    }

    void get() throws Exception {
        pushed.ensureTags(1);
        byte[] manifest = content.tagManifest(0);
        registry.getManifest(run.client(0), TAGS_REPO, Content.tag(0), Content.hex(Content.sha256().digest(manifest)));
        String lua = "wrk.headers[\"Accept\"] = \"" + Content.OCI_MANIFEST + "\"\n";
        run.load("manifest-get", "manifest GET by tag, 64 connections (wrk)",
                run.wrk("manifest-get", "/v2/" + TAGS_REPO + "/manifests/" + Content.tag(0), 64, lua), manifest.length);
    }

    void head() throws Exception {
        pushed.ensureTags(1);
        String path = "/v2/" + TAGS_REPO + "/manifests/" + Content.tag(0);
        registry.head(run.client(0), path, Content.OCI_MANIFEST, "HEAD manifest");
        run.load("manifest-head", "manifest HEAD by tag, 64 connections (ab)",
                run.abHead("manifest-head", path, 64, List.of("Accept: " + Content.OCI_MANIFEST)), 0);
    }

    void blobHead() throws Exception {
        pushed.ensureTagBase();
        String path = "/v2/" + TAGS_REPO + "/blobs/" + content.tagLayer.digest();
        registry.head(run.client(0), path, null, "HEAD blob");
        run.load("blob-head", "blob HEAD, 64 connections (ab)", run.abHead("blob-head", path, 64, List.of()), 0);
    }
}
