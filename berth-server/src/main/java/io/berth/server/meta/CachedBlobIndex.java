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
import java.util.function.Consumer;

/**
 * Remembers which blobs are linked into which repository, so that blob HEADs — the request clients send most, to skip
 * uploads — are answered on the event loop. Only positive answers are kept; an unlink through this index forgets at
 * once, and entries expire after {@code ttlMillis} so that unlinks by other nodes sharing the database show within
 * that bound. At most {@code maxEntries}, least recently used first out.
 */
public final class CachedBlobIndex implements BlobIndex {
    private record Key(Repository repository, Digest digest) {
    }

    private record Entry(long size, long expiresAt) {
    }

    private final BlobIndex delegate;
    private final Clock clock;
    private final long ttlMillis;
    private final Map<Key, Entry> entries;

    public CachedBlobIndex(BlobIndex delegate, Clock clock, long ttlMillis, int maxEntries) {
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
            if (entry == null || entry.expiresAt() < clock.millis()) {
                entries.remove(key);
                return Optional.empty();
            }
            return Optional.of(entry.size());
        }
    }

    @Override
    public Optional<Long> linkedBlobSize(Repository repository, Digest digest) {
        Optional<Long> size = delegate.linkedBlobSize(repository, digest);
        size.ifPresent(s -> remember(repository, digest, s));
        return size;
    }

    private void remember(Repository repository, Digest digest, long size) {
        synchronized (entries) {
            entries.put(new Key(repository, digest), new Entry(size, clock.millis() + ttlMillis));
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
            entries.keySet().removeIf(key -> digests.contains(key.digest()));
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
            entries.remove(new Key(repository, digest));
        }
        return unlinked;
    }
}
