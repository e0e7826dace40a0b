package io.berth.client;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/** One repository of a registry as a {@link ContentStore}; blobs are mounted between repositories of one registry. */
final class RepositoryStore implements ContentStore {
    private final RegistryClient client;
    private final Repository repository;

    RepositoryStore(RegistryClient client, Repository repository) {
        this.client = client;
        this.repository = repository;
    }

    @Override
    public String name() {
        return client.registry() + "/" + repository;
    }

    @Override
    public Optional<FetchedManifest> manifest(Reference reference) {
        return client.manifest(repository, reference);
    }

    @Override
    public Descriptor pushManifest(Reference reference, byte[] bytes, String mediaType) {
        return client.pushManifest(repository, reference, bytes, mediaType);
    }

    @Override
    public boolean hasBlob(Digest digest) {
        return client.blobSize(repository, digest).isPresent();
    }

    @Override
    public InputStream openBlob(Descriptor blob) {
        return client.openBlob(repository, blob).orElseThrow(() -> new RegistryClientException(ErrorCode.BLOB_UNKNOWN, 404,
                name() + "@" + blob.digest() + " does not exist"));
    }

    @Override
    public boolean pushBlob(Descriptor blob, BlobSource source, LongConsumer progress) {
        return client.pushBlob(repository, blob, source, progress);
    }

    @Override
    public Descriptor pushBlob(String mediaType, InputStream content, LongConsumer progress) {
        return client.pushBlob(repository, mediaType, content, progress);
    }

    @Override
    public boolean mountBlob(ContentStore source, Digest digest) {
        return source instanceof RepositoryStore other && other.client.registry().equals(client.registry())
                && !other.repository.equals(repository) && client.mountBlob(repository, other.repository, digest);
    }

    @Override
    public List<Descriptor> referrers(Digest subject, Optional<String> artifactType) {
        return client.referrers(repository, subject, artifactType);
    }

    @Override
    public List<String> tags() {
        return client.tags(repository).orElse(List.of());
    }

    @Override
    public boolean deleteManifest(Digest digest) {
        Optional<FetchedManifest> manifest = client.manifest(repository, new Reference.ByDigest(digest));
        if (manifest.isEmpty()) {
            return false;
        }
        Optional<Descriptor> subject = subject(manifest.get());
        boolean deleted = client.deleteManifest(repository, new Reference.ByDigest(digest));
        subject.ifPresent(s -> client.forgetReferrer(repository, s.digest(), digest));
        return deleted;
    }

    private static Optional<Descriptor> subject(FetchedManifest manifest) {
        try {
            return manifest.parsed().subject();
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    Repository repository() {
        return repository;
    }
}
