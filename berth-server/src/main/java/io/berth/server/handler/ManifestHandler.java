package io.berth.server.handler;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import io.berth.server.blob.BlobIntegrity;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.ManifestIndex;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.StoredManifest;
import io.berth.server.type.Classifier;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * GET, HEAD, PUT and DELETE {@code /v2/<name>/manifests/<reference>} (end-3, end-7, end-9). Manifests are stored
 * and served as the exact bytes received; the digest is computed over those bytes. On push the manifest is typed
 * with the catalog in force, from the manifest alone.
 */
public final class ManifestHandler {
    private final ManifestIndex manifests;
    private final BlobIntegrity blobs;
    private final int maxManifestBytes;
    private final boolean deleteEnabled;
    private final Clock clock;
    private final Supplier<TypeCatalog> catalog;

    public ManifestHandler(ManifestIndex manifests, BlobIntegrity blobs, Supplier<TypeCatalog> catalog,
                           int maxManifestBytes, boolean deleteEnabled, Clock clock) {
        this.manifests = manifests;
        this.blobs = blobs;
        this.catalog = catalog;
        this.maxManifestBytes = maxManifestBytes;
        this.deleteEnabled = deleteEnabled;
        this.clock = clock;
    }

    public Future<Reply> get(Exchange exchange) {
        Repository repository = exchange.repository();
        Reference reference = reference(exchange, ErrorCode.MANIFEST_UNKNOWN);
        Optional<StoredManifest> cached = manifests.cached(repository, reference);
        if (cached.isPresent()) {
            return Future.succeededFuture(reply(exchange, cached.get()));
        }
        return exchange.blocking(() -> reply(exchange, find(repository, reference)
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.exception("manifest " + reference + " is unknown"))));
    }

    /**
     * The path's reference. A name outside the tag grammar names no manifest: {@code whenNotATag} says what that is
     * (404 {@code MANIFEST_UNKNOWN} to read or delete, as the conformance suite expects; 400 {@code MANIFEST_INVALID}
     * to push). A malformed digest stays {@code DIGEST_INVALID}.
     */
    private static Reference reference(Exchange exchange, ErrorCode whenNotATag) {
        return reference(exchange.variable("reference"), whenNotATag);
    }

    /** {@code text} as a reference; one that is no tag is {@code whenNotATag} (see above). */
    public static Reference reference(String text, ErrorCode whenNotATag) {
        try {
            return Reference.parse(text);
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.TAG_INVALID) {
                throw whenNotATag.exception("no manifest can have the reference " + text + ": it is no tag");
            }
            throw e;
        }
    }

    private static Reply reply(Exchange exchange, StoredManifest manifest) {
        String etag = "\"" + manifest.digest() + "\"";
        if (exchange.header("If-None-Match").filter(etag::equals).isPresent()) {
            return Reply.status(304).digest(manifest.digest()).header("ETag", etag);
        }
        return Reply.status(200).digest(manifest.digest()).header("ETag", etag)
                .bytes(manifest.content(), manifest.mediaType());
    }

    private Optional<StoredManifest> find(Repository repository, Reference reference) {
        if (reference instanceof Reference.Tag tag) {
            return manifests.manifestByTag(repository, tag);
        }
        return manifests.manifest(repository, ((Reference.ByDigest) reference).digest());
    }

    public Future<Reply> put(Exchange exchange) {
        Repository repository = exchange.repository();
        Reference reference = reference(exchange, ErrorCode.MANIFEST_INVALID);
        String contentType = exchange.header("Content-Type").orElse(null);
        return exchange.body(maxManifestBytes).compose(body -> exchange.blocking(() -> {
            byte[] bytes = body.getBytes();
            Digest digest = digestOf(bytes, reference);
            Manifest manifest = ManifestParser.parse(bytes, contentType);
            Optional<Digest> subject = manifest.subject().map(Descriptor::digest);
            StoredManifest stored = new StoredManifest(repository, digest, manifest.mediaType(), bytes,
                    manifest.effectiveArtifactType(), subject, manifest.annotations(), clock.instant(),
                    Classifier.classify(catalog.get(), manifest, bytes.length));
            Optional<Reference.Tag> tag = reference instanceof Reference.Tag t ? Optional.of(t) : Optional.empty();
            List<Digest> referenced = digests(manifest.blobs());
            requireBytes(repository, manifest.blobs());
            manifests.put(stored, referenced, digests(manifest.manifests()), tag, exchange.context());
            Reply reply = Reply.status(201)
                    .location(Endpoint.MANIFEST.path(repository, digest))
                    .digest(digest);
            subject.ifPresent(s -> reply.header("OCI-Subject", s));
            return reply;
        }));
    }

    /**
     * Each blob's bytes exist (a stat each, unless a HEAD or another push found the file with the declared size within
     * the last second): a manifest never goes in that references a blob whose file is missing or quarantined, though
     * the database knows it; the client pushes the blob again. The database checks the rest. With S3 a stat is a
     * request to the store: clients HEAD each blob before they push the manifest, and images share layers.
     */
    private void requireBytes(Repository repository, List<Descriptor> referenced) {
        for (Descriptor blob : referenced) {
            Digest digest = blob.digest();
            if (!blobs.recentlyPresent(digest, blob.size()) && !blobs.exists(digest)) {
                throw ErrorCode.MANIFEST_BLOB_UNKNOWN.exception("the manifest references blob " + digest + ", which"
                        + " the registry does not hold (never pushed to " + repository + ", or its bytes are missing"
                        + " from storage); push the blob, then the manifest");
            }
        }
    }

    /** The digest of the bytes, in the algorithm of the reference when it is a digest, which must then match. */
    private static Digest digestOf(byte[] bytes, Reference reference) {
        if (reference instanceof Reference.ByDigest byDigest) {
            Digest actual = byDigest.digest().recompute(bytes);
            if (!actual.equals(byDigest.digest())) {
                throw ErrorCode.DIGEST_INVALID.exception("manifest digest " + actual + " does not match " + byDigest.digest());
            }
            return actual;
        }
        return Digest.sha256(bytes);
    }

    private static List<Digest> digests(List<Descriptor> descriptors) {
        return descriptors.stream().map(Descriptor::digest).distinct().toList();
    }

    public Future<Reply> delete(Exchange exchange) {
        BlobHandler.requireDeletes(deleteEnabled);
        Repository repository = exchange.repository();
        Reference reference = reference(exchange, ErrorCode.MANIFEST_UNKNOWN);
        return exchange.blocking(() -> {
            boolean deleted = reference instanceof Reference.Tag tag
                    ? manifests.deleteTag(repository, tag, exchange.context())
                    : manifests.delete(repository, ((Reference.ByDigest) reference).digest(), exchange.context());
            if (!deleted) {
                throw ErrorCode.MANIFEST_UNKNOWN.exception("manifest " + reference + " is unknown");
            }
            return Reply.status(202);
        });
    }
}
