package io.berth.server.handler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Repository;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.ManifestIndex;
import io.vertx.core.Future;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Content discovery: tags list (end-8a/b), catalog, and referrers (end-12a/b), all paged with {@code Link}. */
public final class ListHandlers {
    /**
     * The most descriptors a referrers page holds, whatever {@code n} and the page size limits say; clients follow the
     * {@code Link}. A descriptor costs this server about 12 µs (its row, its annotations parsed, rendered) and some
     * 5 KB of garbage: 10,000 referrers of one subject in one page, asked for by 8 clients at once, took more than
     * Berth's whole heap, and a page of 1,000 took 150 ms at p99 (the data-at-scale benchmark, issue #20).
     */
    static final int REFERRERS_PAGE = 250;

    private final ManifestIndex manifests;
    private final Paging.Limits limits;

    public ListHandlers(ManifestIndex manifests, Paging.Limits limits) {
        this.manifests = manifests;
        this.limits = limits;
    }

    public Future<Reply> tags(Exchange exchange) {
        Repository repository = exchange.repository();
        Paging paging = Paging.of(exchange, limits);
        return exchange.blocking(() -> {
            if (!manifests.exists(repository)) {
                throw ErrorCode.NAME_UNKNOWN.exception("repository " + repository + " is unknown");
            }
            Reply reply = Reply.status(200);
            List<String> fetched = paging.size() == 0 ? List.of() : manifests.tags(repository, paging.last(), paging.fetchSize());
            List<String> page = paging.page(fetched, reply, Endpoint.TAGS.path(repository), tag -> tag);
            ObjectNode body = JsonBody.object().put("name", repository.name());
            ArrayNode tags = body.putArray("tags");
            page.forEach(tags::add);
            return reply.bytes(JsonBody.bytes(body), MediaTypes.JSON);
        });
    }

    public Future<Reply> catalog(Exchange exchange) {
        Paging paging = Paging.of(exchange, limits);
        return exchange.blocking(() -> {
            Reply reply = Reply.status(200);
            List<Repository> fetched = paging.size() == 0 ? List.of() : readable(exchange, paging);
            List<Repository> page = paging.page(fetched, reply, Endpoint.CATALOG.path(), Repository::name);
            ObjectNode body = JsonBody.object();
            ArrayNode repositories = body.putArray("repositories");
            page.forEach(r -> repositories.add(r.name()));
            return reply.bytes(JsonBody.bytes(body), MediaTypes.JSON);
        });
    }

    /** The next page (plus one) of the repositories the caller may pull from, reading on past those it may not. */
    private List<Repository> readable(Exchange exchange, Paging paging) {
        List<Repository> readable = new ArrayList<>();
        Optional<String> last = paging.last();
        while (readable.size() < paging.fetchSize()) {
            List<Repository> batch = manifests.repositories(last, paging.fetchSize());
            batch.stream().filter(exchange::canRead).limit(paging.fetchSize() - readable.size()).forEach(readable::add);
            if (batch.size() < paging.fetchSize()) {
                break;
            }
            last = Optional.of(batch.get(batch.size() - 1).name());
        }
        return readable;
    }

    /** An image index of the manifests whose {@code subject} is the digest; empty (never 404) when there are none. */
    public Future<Reply> referrers(Exchange exchange) {
        Repository repository = exchange.repository();
        Digest subject = Digest.parse(exchange.variable("digest"));
        Optional<String> artifactType = exchange.query("artifactType").filter(t -> !t.isEmpty());
        Paging paging = Paging.of(exchange, limits.atMost(REFERRERS_PAGE));
        Optional<Digest> last = paging.last().map(Digest::parse);
        return exchange.blocking(() -> {
            Reply reply = Reply.status(200);
            List<Descriptor> fetched = paging.size() == 0 ? List.of()
                    : manifests.referrers(repository, subject, artifactType, last, paging.fetchSize());
            String path = Endpoint.REFERRERS.path(repository, subject)
                    + artifactType.map(t -> "?artifactType=" + URLEncoder.encode(t, StandardCharsets.UTF_8)).orElse("");
            List<Descriptor> page = paging.page(fetched, reply, path, d -> d.digest().toString());
            artifactType.ifPresent(t -> reply.header("OCI-Filters-Applied", "artifactType"));
            ObjectNode index = JsonBody.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
            ArrayNode descriptors = index.putArray("manifests");
            page.forEach(d -> JsonBody.add(descriptors, d));
            return reply.bytes(JsonBody.bytes(index), MediaTypes.OCI_INDEX);
        });
    }
}
