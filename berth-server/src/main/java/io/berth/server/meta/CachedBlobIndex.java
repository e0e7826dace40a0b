package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Remembers which blobs are linked into which repository, so that blob HEADs — the request clients send most, to skip
 * uploads — are answered on the event loop. Only positive answers are kept; an unlink through this index forgets at
 * once; unlinks by other nodes sharing the database arrive as {@link ChangeFeed} signals ({@link #invalidate}), and
 * garbage collection's deletions are signalled to them from here. Entries expire after {@code ttlMillis}, or
 * {@link ChangeFeed#UNLISTENED_TTL_MILLIS} while the feed is down. At most {@code maxEntries}, least recently used first
 * out. A read that started before an invalidation does not cache what it found.
 */
public final class CachedBlobIndex implements BlobIndex {
    private record Key(Repository repository, Digest digest) {
    }

    private record Entry(long size, long storedAt) {
    }

    private final BlobIndex delegate;
    private final Clock clock;
    private final long ttlMillis;
    private final Map<Key, Entry> entries;
    private final Optional<ChangeFeed> feed;
    private final AtomicLong generation = new AtomicLong();

    public CachedBlobIndex(BlobIndex delegate, Clock clock, long ttlMillis, int maxEntries) {
        this(delegate, clock, ttlMillis, maxEntries, Optional.empty());
    }

    /** @param feed where unlinks of other nodes come from and garbage collection's deletions go */
    public CachedBlobIndex(BlobIndex delegate, Clock clock, long ttlMillis, int maxEntries, Optional<ChangeFeed> feed) {
        this.feed = feed;
        this.delegate = delegate;
        this.clock = clock;
        this.ttlMillis = ttlMillis;
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    @Override
    public Optional<Long> cachedLinkedBlobSize(Repository repository, Digest digest) {
        Key key = new Key(repository, digest);
        synchronized (entries) {
            Entry entry = entries.get(key);
            long ttl = feed.isPresent() ? feed.get().ttl(ttlMillis) : ttlMillis; // no allocation: HEADs come here
            if (entry == null || clock.millis() - entry.storedAt() > ttl) {
                entries.remove(key);
                return Optional.empty();
            }
            return Optional.of(entry.size());
        }
    }

    @Override
    public Optional<Long> linkedBlobSize(Repository repository, Digest digest) {
        long before = generation.get();
        Optional<Long> size = delegate.linkedBlobSize(repository, digest);
        size.ifPresent(s -> remember(repository, digest, s, before));
        return size;
    }

    private void remember(Repository repository, Digest digest, long size, long readInGeneration) {
        synchronized (entries) {
            if (generation.get() == readInGeneration) {
                entries.put(new Key(repository, digest), new Entry(size, clock.millis()));
            }
        }
    }

    /** For a {@link ChangeFeed} subscription: forgets a repository's links, or all for {@link ChangeFeed#EVERYTHING}. */
    public void invalidate(String repositoryOrEverything) {
        synchronized (entries) {
            generation.incrementAndGet();
            if (repositoryOrEverything.equals(ChangeFeed.EVERYTHING)) {
                entries.clear();
            } else {
                Repository repository = Repository.of(repositoryOrEverything);
                entries.keySet().removeIf(key -> key.repository().equals(repository));
            }
        }
    }

    @Override
    public Optional<Repository> anyRepositoryWith(Digest digest) {
        return delegate.anyRepositoryWith(digest);
    }

    @Override
    public List<Repository> repositoriesWith(Digest digest, String after, int limit) {
        return delegate.repositoriesWith(digest, after, limit);
    }

    @Override
    public void admit(Repository repository, Digest digest, long size) {
        delegate.admit(repository, digest, size);
    }

    @Override
    public void link(Repository repository, Digest digest, long size) {
        delegate.link(repository, digest, size);
    }

    @Override
    public boolean mount(Repository repository, Digest digest) {
        return delegate.mount(repository, digest);
    }

    @Override
    public void reserveForUpload(UUID upload, Digest digest, long size, Consumer<Digest> deleteBytes) {
        delegate.reserveForUpload(upload, digest, size, deleteBytes);
    }

    @Override
    public void forget(Set<Digest> digests) {
        delegate.forget(digests);
        synchronized (entries) {
            generation.incrementAndGet();
            entries.keySet().removeIf(key -> digests.contains(key.digest()));
        }
        if (!digests.isEmpty()) {
            feed.ifPresent(f -> f.publish(ChangeFeed.Topic.BLOBS, ChangeFeed.EVERYTHING));
        }
    }

    @Override
    public void linkUploaded(Repository repository, Digest digest, long size, UUID upload) {
        delegate.linkUploaded(repository, digest, size, upload);
    }

    @Override
    public boolean unlink(Repository repository, Digest digest, RequestContext context) {
        boolean unlinked = delegate.unlink(repository, digest, context);
        synchronized (entries) {
            generation.incrementAndGet();
            entries.remove(new Key(repository, digest));
        }
        return unlinked;
    }
}
