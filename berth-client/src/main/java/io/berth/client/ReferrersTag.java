package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.ManifestParser;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The distribution-spec's referrers tag schema, for registries without the referrers API: the tag
 * {@code <alg>-<hex>} of the subject holds an image index whose {@code manifests} are the referrers. Read, and
 * updated read-modify-write when a referrer is pushed or deleted.
 */
final class ReferrersTag {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transport transport;
    private final ManifestPuller puller;

    ReferrersTag(Transport transport, ManifestPuller puller) {
        this.transport = transport;
        this.puller = puller;
    }

    /** {@code sha256-<hex>}, truncated to the 128 characters a tag may have. */
    static Reference.Tag tagFor(Digest subject) {
        String tag = subject.algorithm().id() + "-" + subject.hex();
        return new Reference.Tag(tag.length() > 128 ? tag.substring(0, 128) : tag);
    }

    /** The referrers the tag lists; empty when there is no such tag. */
    Optional<List<Descriptor>> read(Repository repository, Digest subject) {
        return puller.pull(repository, tagFor(subject)).map(fetched -> descriptors(fetched.bytes()));
    }

    static List<Descriptor> descriptors(byte[] index) {
        try {
            JsonNode manifests = JSON.readTree(index).path("manifests");
            List<Descriptor> result = new ArrayList<>();
            for (int i = 0; i < manifests.size(); i++) {
                result.add(ManifestParser.descriptor(manifests.get(i), "manifests[" + i + "]"));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("malformed referrers index", e);
        }
    }

    void add(Repository repository, Digest subject, Descriptor referrer) {
        List<Descriptor> referrers = new ArrayList<>(read(repository, subject).orElse(List.of()));
        if (referrers.stream().noneMatch(d -> d.digest().equals(referrer.digest()))) {
            referrers.add(referrer);
            write(repository, subject, referrers);
        }
    }

    void remove(Repository repository, Digest subject, Digest referrer) {
        Optional<List<Descriptor>> current = read(repository, subject);
        if (current.isPresent() && current.get().stream().anyMatch(d -> d.digest().equals(referrer))) {
            write(repository, subject, current.get().stream().filter(d -> !d.digest().equals(referrer)).toList());
        }
    }

    private void write(Repository repository, Digest subject, List<Descriptor> referrers) {
        byte[] index = ManifestJson.index(Optional.empty(), referrers, Optional.empty(), Map.of());
        Call call = Call.of("PUT", transport.uri(Endpoint.MANIFEST, new Object[] {repository, tagFor(subject)}), Scope.push(repository))
                .header("Content-Type", MediaTypes.OCI_INDEX).body(index);
        try (Response response = transport.send(call)) {
            if (response.status() != 201 && response.status() != 200) {
                throw response.error();
            }
        }
    }
}
