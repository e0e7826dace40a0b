package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.client.auth.Scope;
import io.berth.oci.Endpoint;
import io.berth.oci.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code GET /v2/<name>/tags/list}, every page; empty when the repository is unknown. */
final class TagLister {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transport transport;

    TagLister(Transport transport) {
        this.transport = transport;
    }

    Optional<List<String>> list(Repository repository) {
        Call call = Call.of("GET", transport.uri(Endpoint.TAGS, new Object[] {repository}, "n", "1000"), Scope.pull(repository));
        return Pages.collect(transport, call, TagLister::tags);
    }

    private static List<String> tags(byte[] body) {
        try {
            List<String> tags = new ArrayList<>();
            for (JsonNode tag : JSON.readTree(body).path("tags")) {
                tags.add(tag.asText());
            }
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException("malformed tags list", e);
        }
    }
}
