package io.berth.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/manifests/<reference>}. The digest is computed from the bytes, checked against the reference
 * when it is a digest and against {@code Docker-Content-Digest} when the registry sends one.
 */
final class ManifestPuller {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transport transport;

    ManifestPuller(Transport transport) {
        this.transport = transport;
    }

    Optional<FetchedManifest> pull(Repository repository, Reference reference) {
        Call call = Call.of("GET", transport.uri(Endpoint.MANIFEST, new Object[] {repository, reference}), Scope.pull(repository))
                .header("Accept", ManifestAccept.VALUE);
        try (Response response = transport.send(call)) {
            if (response.status() == 404) {
                response.bytes();
                return Optional.empty();
            }
            if (response.status() != 200) {
                throw response.error();
            }
            byte[] bytes = response.bytes();
            Digest digest = reference instanceof Reference.ByDigest d ? d.digest().recompute(bytes) : Digest.sha256(bytes);
            if (reference instanceof Reference.ByDigest d && !d.digest().equals(digest)) {
                throw new RegistryClientException(ErrorCode.DIGEST_INVALID, 200, "the manifest " + repository + "@" + d.digest()
                        + " arrived with digest " + digest + " (" + call + ")");
            }
            Optional<String> sent = response.header("Docker-Content-Digest");
            if (sent.isPresent() && reference instanceof Reference.Tag && sent.get().startsWith("sha256:")
                    && !sent.get().equals(digest.toString())) {
                throw new RegistryClientException(ErrorCode.DIGEST_INVALID, 200, "Docker-Content-Digest " + sent.get()
                        + " does not match the bytes (" + digest + ") of " + repository + ":" + reference);
            }
            return Optional.of(new FetchedManifest(bytes, mediaType(response, bytes), digest));
        }
    }

    /** {@code Content-Type}, else the body's {@code mediaType}, else an index when it has {@code manifests}. */
    static String mediaType(Response response, byte[] bytes) {
        String declared = MediaTypes.essence(response.header("Content-Type").orElse(""));
        if (MediaTypes.MANIFESTS.contains(declared)) {
            return declared;
        }
        try {
            var root = JSON.readTree(bytes);
            String inBody = root.path("mediaType").asText("");
            if (!inBody.isEmpty()) {
                return inBody;
            }
            return root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        } catch (java.io.IOException e) {
            return declared;
        }
    }
}
