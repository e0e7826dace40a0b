package io.berth.client.artifact;

import io.berth.client.FetchedManifest;
import io.berth.client.RegistryClient;
import io.berth.oci.Manifest;
import io.berth.oci.Reference;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import io.berth.oci.type.Detected;
import io.berth.oci.type.Target;
import io.berth.oci.type.TypeCatalog;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Types every tag of a repository from its manifest alone with the catalog given, fetching the manifests in parallel.
 * Tags of the referrers tag schema ({@code sha256-<hex>}) are bookkeeping of registries without the referrers API and
 * are left out unless asked for.
 */
final class TagDescriber {
    static final Pattern REFERRERS_TAG = Pattern.compile("(sha256-[0-9a-f]{64}|sha512-[0-9a-f]{64,123})");

    private final Transfers transfers;

    TagDescriber(Transfers transfers) {
        this.transfers = transfers;
    }

    List<TaggedArtifact> describe(RegistryClient client, Repository repository, boolean includeReferrersTags,
                                  TypeCatalog catalog) {
        List<String> tags = client.tags(repository).orElseThrow(() -> io.berth.oci.ErrorCode.NAME_UNKNOWN.exception(
                client.registry() + " has no repository " + repository));
        List<Callable<Optional<TaggedArtifact>>> lookups = tags.stream().sorted()
                .filter(t -> includeReferrersTags || !REFERRERS_TAG.matcher(t).matches())
                .<Callable<Optional<TaggedArtifact>>>map(tag -> () -> describe(client, repository, tag, catalog)).toList();
        if (lookups.isEmpty()) {
            return List.of();
        }
        return transfers.all(lookups).stream().flatMap(Optional::stream).toList();
    }

    private static Optional<TaggedArtifact> describe(RegistryClient client, Repository repository, String tag,
                                                     TypeCatalog catalog) {
        Optional<FetchedManifest> fetched = client.manifest(repository, new Reference.Tag(tag));
        if (fetched.isEmpty()) {
            return Optional.empty(); // deleted between the listing and now
        }
        try {
            Manifest manifest = fetched.get().parsed();
            Detected detected = catalog.detect(manifest);
            Target target = Target.of(client.registry(), repository, tag, fetched.get().digest(), manifest);
            return Optional.of(new TaggedArtifact(tag, fetched.get().descriptor(), detected,
                    detected.type().actionsFor(target)));
        } catch (RegistryException unparseable) {
            Detected unknown = new Detected(catalog.unknown(), Optional.empty(), List.of(), List.of(fetched.get().mediaType()));
            return Optional.of(new TaggedArtifact(tag, fetched.get().plainDescriptor(), unknown, List.of()));
        }
    }
}
