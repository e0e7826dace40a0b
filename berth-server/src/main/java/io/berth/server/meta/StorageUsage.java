package io.berth.server.meta;

import io.berth.oci.Repository;
import java.util.List;

/**
 * What the registry's content takes in storage, per repository and per artifact type, from the metadata alone.
 *
 * <p>How a blob is counted: once in the {@link Total} (the bytes the store holds, whoever links them); fully in every
 * repository that links it (pushed or mounted there), so that a repository's figure is what it would take on its own
 * and the repositories' figures add up to more than the total when they share layers; and fully in every type of that
 * repository whose artifacts reference it. An artifact is a manifest that is not a child of an index in its repository:
 * an index and its platform manifests are one artifact of the index's type, whose blobs are its children's blobs; a
 * referrer (signature, SBOM) is an artifact of its own type. Manifests themselves live in the database and are not
 * counted. A namespace (the repositories whose names share their first path segment) counts each blob once, however
 * many of its repositories link it: the figures quotas compare with their limits.
 */
public interface StorageUsage {

    /** The artifacts of one type in one repository and the bytes of the unique blobs they reference. */
    record TypeUsage(String typeId, long artifacts, long bytes) {
    }

    /**
     * One repository.
     *
     * @param artifacts         its manifests that are no index's children (an index with its platforms is one)
     * @param manifests         all its manifests, what a quota on manifests counts
     * @param bytes             the unique blobs linked into it
     * @param unreferencedBytes those of them no manifest of the repository references (an upload whose manifest has
     *                          not come yet, or what deleting a manifest left for garbage collection)
     */
    record RepositoryUsage(Repository repository, long artifacts, long manifests, long bytes, long unreferencedBytes,
                           List<TypeUsage> byType) {
        public RepositoryUsage {
            byType = List.copyOf(byType);
        }
    }

    /**
     * One namespace: the repositories whose names start with the same first path segment, together.
     *
     * @param manifests the manifests of its repositories
     * @param bytes     the unique blobs linked into any of its repositories, each once
     */
    record NamespaceUsage(String namespace, long manifests, long bytes) {
    }

    /** Every blob the registry keeps, each once. */
    record Total(long blobs, long bytes) {
    }

    /**
     * @param repositories by name; those with neither a manifest nor a blob are left out
     * @param namespaces   by name; likewise
     */
    record Usage(List<RepositoryUsage> repositories, List<NamespaceUsage> namespaces, Total total) {
        public Usage {
            repositories = List.copyOf(repositories);
            namespaces = List.copyOf(namespaces);
        }
    }

    /** Blocking: the usage now; a few grouped queries over the whole registry. */
    Usage usage();
}
