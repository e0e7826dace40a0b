package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.sha256;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.TortureLedger.Image;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** The torture's standard actors. */
final class TortureActors {
    private TortureActors() {
    }

    /**
     * Pushes images of a unique config, a unique layer and one or two of the shared layers, each time to a random
     * repository, every blob by a random way: monolithic, chunked, HEAD and skip the upload when it exists (the race
     * that matters), or a mount from another repository.
     */
    record Pusher(int id) implements Torture.Actor {
        @Override
        public String name() {
            return "pusher-" + id;
        }

        @Override
        public void step(Torture torture, Random random) {
            long n = torture.counted(name());
            torture.count(name());
            String repository = Torture.REPOSITORIES[random.nextInt(Torture.REPOSITORIES.length)];
            Torture.Upload[] ways = Torture.Upload.values();
            byte[] configContent = Torture.utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"pusher\":" + id
                    + ",\"n\":" + n + "}");
            torture.ensureBlob(repository, configContent, random.nextBoolean() ? Torture.Upload.MONOLITHIC
                    : Torture.Upload.CHUNKED, random);
            Descriptor config = new Descriptor(RegistryHttp.OCI_CONFIG, sha256(configContent), configContent.length);
            List<byte[]> layers = new ArrayList<>();
            byte[] own = new byte[256 + random.nextInt(4096)];
            random.nextBytes(own);
            torture.ensureBlob(repository, own, random.nextBoolean() ? Torture.Upload.MONOLITHIC
                    : Torture.Upload.CHUNKED, random);
            layers.add(own);
            int shared = 1 + random.nextInt(2);
            for (int s = 0; s < shared; s++) {
                byte[] layer = torture.sharedLayers.get(random.nextInt(torture.sharedLayers.size()));
                if (layers.contains(layer)) {
                    continue;
                }
                torture.ensureBlob(repository, layer, ways[random.nextInt(ways.length)], random);
                layers.add(layer);
            }
            // With retention running, every fourth image gets a tag that its policy deletes, with the manifest.
            String tag = "p" + id + "-" + n + (torture.retentionRuns && n % 4 == 3 ? Torture.EXPIRING : "");
            torture.pushImage(repository, tag, config, configContent, layers, random);
        }
    }

    /** Every ~40 ms deletes a manifest by digest (two times in three) or its tag; keeps at least a few. */
    record Deleter() implements Torture.Actor {
        @Override
        public String name() {
            return "deleter";
        }

        @Override
        public void step(Torture torture, Random random) {
            Torture.sleep(40);
            if (random.nextInt(3) < 2) {
                Optional<Image> victim = torture.ledger.takeForDeletion(random, 6);
                if (victim.isEmpty()) {
                    return;
                }
                Image image = victim.get();
                HttpResponse<byte[]> delete;
                try {
                    delete = torture.http.delete("/v2/" + image.repository() + "/manifests/" + image.digest());
                } catch (UncheckedIOException lost) {
                    torture.ledger.deleteUncertain(image);
                    throw lost;
                }
                Torture.expect(delete.statusCode() == 202, "DELETE manifest answered " + delete.statusCode() + " "
                        + RegistryHttp.body(delete));
                torture.ledger.deleted(image);
                torture.count("manifests deleted");
            } else {
                Optional<Image> image = torture.ledger.anyLive(random);
                if (image.isEmpty() || !torture.ledger.takeTagForDeletion(image.get())) {
                    return;
                }
                HttpResponse<byte[]> delete = torture.http.delete("/v2/" + image.get().repository() + "/manifests/"
                        + image.get().tag());
                // 404: the deleter of manifests took the manifest, and its tags, meanwhile.
                Torture.expect(delete.statusCode() == 202 || delete.statusCode() == 404 && torture.ledger.mayBeGone(
                        image.get()), "DELETE tag answered " + delete.statusCode() + " " + RegistryHttp.body(delete));
                torture.ledger.tagDeleted();
            }
        }
    }

    /**
     * Pulls a random live image, by digest or by tag, and all its blobs, verifying each against its digest. A 404 is
     * a failure unless the image's deletion (or its tag's) had been sent by the time the answer came.
     */
    record Puller() implements Torture.Actor {
        @Override
        public String name() {
            return "puller";
        }

        @Override
        public void step(Torture torture, Random random) {
            Optional<Image> chosen = torture.ledger.anyLive(random);
            if (chosen.isEmpty()) {
                Torture.sleep(10);
                return;
            }
            Image image = chosen.get();
            boolean byTag = random.nextInt(4) == 0;
            HttpResponse<byte[]> manifest = torture.http.get("/v2/" + image.repository() + "/manifests/"
                    + (byTag ? image.tag() : image.digest()), "Accept", OCI_MANIFEST);
            if (manifest.statusCode() == 404 && (byTag ? torture.ledger.tagMayBeGone(image)
                    : torture.ledger.mayBeGone(image))) {
                return;
            }
            Torture.expect(manifest.statusCode() == 200, "pull of " + image.key() + (byTag ? " by tag" : "")
                    + " answered " + manifest.statusCode());
            Torture.expect(sha256(manifest.body()).equals(image.digest()), "manifest bytes of " + image.key());
            for (Descriptor blob : image.blobs()) {
                HttpResponse<byte[]> pulled = torture.http.get("/v2/" + image.repository() + "/blobs/" + blob.digest());
                if (pulled.statusCode() == 404 && torture.ledger.mayBeGone(image)) {
                    return;
                }
                Torture.expect(pulled.statusCode() == 200, "blob " + blob.digest() + " of live " + image.key()
                        + " answered " + pulled.statusCode());
                Torture.expect(sha256(pulled.body()).equals(blob.digest()), "bytes of blob " + blob.digest());
            }
            torture.count("images pulled");
        }
    }

    /** Collections back to back through {@code POST /api/v1/admin/gc}. */
    record Collector() implements Torture.Actor {
        @Override
        public String name() {
            return "collector";
        }

        @Override
        public void step(Torture torture, Random random) {
            HttpResponse<byte[]> response = torture.http.post("/api/v1/admin/gc");
            if (response.statusCode() == 409 && torture.retentionRuns) {
                torture.count("collections waiting for a retention run");
                return; // a retention run holds the lease they share
            }
            Torture.expect(response.statusCode() == 200, "collection answered " + response.statusCode() + " "
                    + RegistryHttp.body(response));
            JsonNode report = RegistryHttp.json(response);
            Torture.expect(report.get("status").asText().equals("done"), "collection " + report);
            Torture.expect(report.get("missingFiles").asLong() == 0, "collection found missing files: " + report);
            torture.count("collections");
            torture.count("blobs deleted during the run", report.get("blobsDeleted").asLong());
            Torture.sleep(random.nextInt(30));
        }
    }

    /**
     * Retention runs through {@code POST /api/v1/admin/retention} every ~100 ms, under a policy that deletes the
     * pushers' {@link Torture#EXPIRING} tags and so their manifests: a third deleter, of the registry's own, whose
     * deletions must free the expiring images' own blobs and never a layer a kept image shares. A run that finds a
     * collection holding the lease they share is refused (409) and tried again.
     */
    record Retention() implements Torture.Actor {
        @Override
        public String name() {
            return "retention";
        }

        @Override
        public void step(Torture torture, Random random) {
            Torture.sleep(50 + random.nextInt(100));
            HttpResponse<byte[]> response = torture.http.post("/api/v1/admin/retention");
            if (response.statusCode() == 409) {
                torture.count("retention runs waiting for a collection");
                return;
            }
            Torture.expect(response.statusCode() == 200, "retention run answered " + response.statusCode() + " "
                    + RegistryHttp.body(response));
            JsonNode report = RegistryHttp.json(response);
            Torture.expect(report.get("error").isNull(), "retention run failed: " + report);
            torture.count("retention runs");
            torture.count("manifests deleted by retention", report.get("manifestsDeleted").asLong());
        }
    }
}
