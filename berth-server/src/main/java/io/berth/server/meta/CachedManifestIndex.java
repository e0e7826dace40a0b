package io.berth.server.meta;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Keeps recently read manifests in memory so that hot pulls are answered on the event loop, without a worker hop or a
 * query. Writes through this index invalidate what they change at once; entries also expire — tags after
 * {@code tagTtlMillis}, manifests after {@code manifestTtlMillis} — so that changes made by other nodes sharing the
 * database become visible within those bounds. Bounded by {@code maxBytes} of manifest content, least recently used
 * first out. Thread-safe; lookups are a synchronized map access.
 */
public final class CachedManifestIndex implements ManifestIndex {
    private record Key(Repository repository, String reference) {
    }

    private record Entry(StoredManifest manifest, long expiresAt) {
    }

    private final ManifestIndex delegate;
    private final Clock clock;
    private final long tagTtlMillis;
    private final long manifestTtlMillis;
    private final long maxBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    public CachedManifestIndex(ManifestIndex delegate, Clock clock, long tagTtlMillis, long manifestTtlMillis, long maxBytes) {
        this.delegate = delegate;
        this.clock = clock;
        this.tagTtlMillis = tagTtlMillis;
        this.manifestTtlMillis = manifestTtlMillis;
        this.maxBytes = maxBytes;
    }

    @Override
    public Optional<StoredManifest> cached(Repository repository, Reference reference) {
        Key key = new Key(repository, reference.toString());
        synchronized (entries) {
            Entry entry = entries.get(key);
            if (entry == null) {
                return Optional.empty();
            }
            if (entry.expiresAt() < clock.millis()) {
                remove(key);
                return Optional.empty();
            }
            return Optional.of(entry.manifest());
        }
    }

    @Override
    public Optional<StoredManifest> manifest(Repository repository, Digest digest) {
        Optional<StoredManifest> found = delegate.manifest(repository, digest);
        found.ifPresent(m -> remember(new Key(repository, digest.toString()), m, manifestTtlMillis));
        return found;
    }

    @Override
    public Optional<StoredManifest> manifestByTag(Repository repository, Reference.Tag tag) {
        Optional<StoredManifest> found = delegate.manifestByTag(repository, tag);
        found.ifPresent(m -> remember(new Key(repository, tag.name()), m, tagTtlMillis));
        return found;
    }

    private void remember(Key key, StoredManifest manifest, long ttlMillis) {
        if (manifest.size() > maxBytes / 16) {
            return;
        }
        synchronized (entries) {
            remove(key);
            entries.put(key, new Entry(manifest, clock.millis() + ttlMillis));
            bytes += manifest.size();
            var eldest = entries.entrySet().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                bytes -= eldest.next().getValue().manifest().size();
                eldest.remove();
            }
        }
    }

    private void remove(Key key) {
        Entry old = entries.remove(key);
        if (old != null) {
            bytes -= old.manifest().size();
        }
    }

    /** Forgets everything cached for the repository: writes are rare next to reads, so this stays simple. */
    private void invalidate(Repository repository) {
        synchronized (entries) {
            entries.entrySet().removeIf(e -> {
                boolean match = e.getKey().repository().equals(repository);
                if (match) {
                    bytes -= e.getValue().manifest().size();
                }
                return match;
            });
        }
    }

    @Override
    public void put(StoredManifest manifest, List<Digest> blobs, List<Digest> children, Optional<Reference.Tag> tag,
                    RequestContext context) {
        delegate.put(manifest, blobs, children, tag, context);
        tag.ifPresent(t -> invalidate(manifest.repository()));
    }

    @Override
    public boolean delete(Repository repository, Digest digest, RequestContext context) {
        boolean deleted = delegate.delete(repository, digest, context);
        invalidate(repository);
        return deleted;
    }

    @Override
    public boolean deleteTag(Repository repository, Reference.Tag tag, RequestContext context) {
        boolean deleted = delegate.deleteTag(repository, tag, context);
        invalidate(repository);
        return deleted;
    }

    @Override
    public List<String> tags(Repository repository, Optional<String> last, int limit) {
        return delegate.tags(repository, last, limit);
    }

    @Override
    public List<Repository> repositories(Optional<String> last, int limit) {
        return delegate.repositories(last, limit);
    }

    @Override
    public boolean exists(Repository repository) {
        return delegate.exists(repository);
    }

    @Override
    public List<Descriptor> referrers(Repository repository, Digest subject, Optional<String> artifactType,
                                      Optional<Digest> last, int limit) {
        return delegate.referrers(repository, subject, artifactType, last, limit);
    }
}
