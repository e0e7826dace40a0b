package io.berth.client.artifact;

import io.berth.client.BlobSource;
import io.berth.client.ContentStore;
import io.berth.client.FetchedManifest;
import io.berth.oci.Descriptor;
import io.berth.oci.Manifest;
import io.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Copies a manifest and everything it reaches from one store to another: the children of an index (every
 * platform), the blobs of each manifest (in parallel; skipped when the target has them, mounted when both are
 * repositories of one registry, else streamed from source to target), and, when asked, every referrer of the root
 * and of its children, recursively. Children and blobs go first, so that the target never holds a manifest whose
 * content is missing.
 */
final class GraphCopier {
    private static final int MAX_REFERRER_DEPTH = 8;

    private final Transfers transfers;

    GraphCopier(Transfers transfers) {
        this.transfers = transfers;
    }

    Descriptor copy(ContentStore source, Reference reference, ContentStore target, Reference targetReference,
                    boolean referrers, TransferListener listener) {
        FetchedManifest root = Artifacts.require(source, reference);
        Set<String> done = new HashSet<>();
        Descriptor copied = copyManifest(source, target, root, targetReference, listener, done);
        if (referrers) {
            copyReferrers(source, target, root, listener, done, 0);
        }
        return copied;
    }

    private Descriptor copyManifest(ContentStore source, ContentStore target, FetchedManifest fetched, Reference as,
                                    TransferListener listener, Set<String> done) {
        Manifest manifest = fetched.parsed();
        for (Descriptor child : manifest.manifests()) {
            if (done.add(child.digest().toString())) {
                FetchedManifest childManifest = Artifacts.require(source, new Reference.ByDigest(child.digest()));
                copyManifest(source, target, childManifest, new Reference.ByDigest(child.digest()), listener, done);
            }
        }
        List<Callable<Void>> blobs = manifest.blobs().stream().filter(b -> b.urls().isEmpty())
                .<Callable<Void>>map(b -> () -> {
                    copyBlob(source, target, b, listener);
                    return null;
                }).toList();
        if (!blobs.isEmpty()) {
            transfers.all(blobs);
        }
        done.add(fetched.digest().toString());
        return target.pushManifest(as, fetched.bytes(), fetched.mediaType());
    }

    private static void copyBlob(ContentStore source, ContentStore target, Descriptor blob, TransferListener listener) {
        String label = blob.annotations().getOrDefault(ArtifactPusher.TITLE, blob.digest().hex().substring(0, 12));
        listener.started(blob, label);
        if (target.hasBlob(blob.digest())) {
            listener.finished(blob, TransferListener.Outcome.SKIPPED);
            return;
        }
        if (target.mountBlob(source, blob.digest())) {
            listener.finished(blob, TransferListener.Outcome.MOUNTED);
            return;
        }
        try (InputStream in = source.openBlob(blob)) {
            target.pushBlob(blob, BlobSource.once(in), n -> listener.progressed(blob, n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listener.finished(blob, TransferListener.Outcome.COPIED);
    }

    private void copyReferrers(ContentStore source, ContentStore target, FetchedManifest subject, TransferListener listener,
                               Set<String> done, int depth) {
        if (depth >= MAX_REFERRER_DEPTH) {
            return;
        }
        List<FetchedManifest> subjects = new java.util.ArrayList<>(List.of(subject));
        for (Descriptor child : subject.parsed().manifests()) {
            source.manifest(new Reference.ByDigest(child.digest())).ifPresent(subjects::add);
        }
        for (FetchedManifest s : subjects) {
            for (Descriptor referrer : source.referrers(s.digest(), java.util.Optional.empty())) {
                if (done.contains("referrer " + referrer.digest())) {
                    continue;
                }
                done.add("referrer " + referrer.digest());
                FetchedManifest fetched = Artifacts.require(source, new Reference.ByDigest(referrer.digest()));
                copyManifest(source, target, fetched, new Reference.ByDigest(referrer.digest()), listener, done);
                copyReferrers(source, target, fetched, listener, done, depth + 1);
            }
        }
    }
}
