package io.berth.client;

import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.MediaTypes;
import io.berth.oci.Repository;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>}, every page, filtered by artifact type (by the registry when it says so in
 * {@code OCI-Filters-Applied}, else here). A registry that answers 404 has no referrers API: the referrers tag
 * schema is read instead.
 */
final class ReferrersLister {
    private final Transport transport;
    private final ReferrersTag fallback;

    ReferrersLister(Transport transport, ReferrersTag fallback) {
        this.transport = transport;
        this.fallback = fallback;
    }

    List<Descriptor> list(Repository repository, Digest subject, Optional<String> artifactType) {
        Call call = Call.of("GET", transport.uri(Endpoint.REFERRERS, new Object[] {repository, subject},
                        "artifactType", artifactType.orElse(null)), Scope.pull(repository))
                .header("Accept", MediaTypes.OCI_INDEX);
        List<Descriptor> referrers = api(call).or(() -> fallback.read(repository, subject)).orElse(List.of());
        return artifactType.map(t -> referrers.stream().filter(d -> d.artifactType().equals(Optional.of(t))).toList())
                .orElse(referrers);
    }

    /** The API's answer; empty when it answered 404, as registries without the referrers API do. */
    private Optional<List<Descriptor>> api(Call call) {
        return Pages.collect(transport, call, ReferrersTag::descriptors);
    }
}
