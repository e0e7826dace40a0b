package io.berth.server.meta;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * Keeps recently read manifests in memory so that hot pulls are answered on the event loop, without a worker hop or a
 * query. Writes through this index invalidate what they change at once; changes made by other nodes sharing the
 * database arrive as {@link ChangeFeed} signals ({@link #invalidate}); entries also expire — tags after
 * {@code tagTtlMillis}, manifests after {@code manifestTtlMillis}, both shortened by {@code ttl} while the feed is
 * down. Bounded by {@code maxBytes} of manifest content, least recently used first out. Thread-safe; lookups are a
 * synchronized map access.
 *
 * <p>A read that started before an invalidation does not cache what it found: it may be the state from before the
 * change (a generation count, bumped by each invalidation, tells).
 */
public final class CachedManifestIndex implements ManifestIndex {
    private record Key(Repository repository, String reference) {
    }

    private record Entry(StoredManifest manifest, long storedAt, long ttlMillis) {
    }

    private final ManifestIndex delegate;
    private final Clock clock;
    private final long tagTtlMillis;
    private final long manifestTtlMillis;
    private final long maxBytes;
    private final LongUnaryOperator ttl;
    private final AtomicLong generation = new AtomicLong();
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    public CachedManifestIndex(ManifestIndex delegate, Clock clock, long tagTtlMillis, long manifestTtlMillis, long maxBytes) {
        this(delegate, clock, tagTtlMillis, manifestTtlMillis, maxBytes, LongUnaryOperator.identity());
    }

    /** @param ttl how long an entry of a given time to live may be used now ({@link ChangeFeed#ttl}) */
    public CachedManifestIndex(ManifestIndex delegate, Clock clock, long tagTtlMillis, long manifestTtlMillis, long maxBytes,
                               LongUnaryOperator ttl) {
        this.ttl = ttl;
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
            if (clock.millis() - entry.storedAt() > ttl.applyAsLong(entry.ttlMillis())) {
                remove(key);
                return Optional.empty();
            }
            return Optional.of(entry.manifest());
        }
    }

    @Override
    public Optional<StoredManifest> manifest(Repository repository, Digest digest) {
        long before = generation.get();
        Optional<StoredManifest> found = delegate.manifest(repository, digest);
        found.ifPresent(m -> remember(new Key(repository, digest.toString()), m, manifestTtlMillis, before));
        return found;
    }

    @Override
    public Optional<StoredManifest> manifestByTag(Repository repository, Reference.Tag tag) {
        long before = generation.get();
        Optional<StoredManifest> found = delegate.manifestByTag(repository, tag);
        found.ifPresent(m -> remember(new Key(repository, tag.name()), m, tagTtlMillis, before));
        return found;
    }

    private void remember(Key key, StoredManifest manifest, long ttlMillis, long readInGeneration) {
        if (manifest.size() > maxBytes / 16) {
            return;
        }
        synchronized (entries) {
            if (generation.get() != readInGeneration) {
                return;
            }
            remove(key);
            entries.put(key, new Entry(manifest, clock.millis(), ttlMillis));
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
    public void invalidate(Repository repository) {
        synchronized (entries) {
            generation.incrementAndGet();
            entries.entrySet().removeIf(e -> {
                boolean match = e.getKey().repository().equals(repository);
                if (match) {
                    bytes -= e.getValue().manifest().size();
                }
                return match;
            });
        }
    }

    /** Forgets everything: signals from other nodes may have been lost. */
    public void invalidateAll() {
        synchronized (entries) {
            generation.incrementAndGet();
            entries.clear();
            bytes = 0;
        }
    }

    /** For a {@link ChangeFeed} subscription: a repository's name, or {@link ChangeFeed#EVERYTHING}. */
    public void invalidate(String repositoryOrEverything) {
        if (repositoryOrEverything.equals(ChangeFeed.EVERYTHING)) {
            invalidateAll();
        } else {
            invalidate(Repository.of(repositoryOrEverything));
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
