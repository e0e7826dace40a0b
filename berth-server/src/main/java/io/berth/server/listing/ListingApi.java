package io.berth.server.listing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.handler.ManifestHandler;
import io.berth.server.handler.Paging;
import io.berth.server.http.Exchange;
import io.berth.server.http.Reply;
import io.berth.server.meta.ArtifactListing;
import io.berth.server.meta.ArtifactListing.ArtifactRow;
import io.berth.server.meta.ArtifactListing.Filter;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.scan.ScanStatuses;
import io.berth.server.type.TypeCatalogWatcher;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The registry listing as JSON under {@code /api/v1/}: the type catalog and its icons, repositories with artifact
 * counts per type, artifacts with their type, platforms, size, referrers and rendered actions, and one artifact in
 * full (every annotation of the manifest in {@code allAnnotations}); list entries carry the well-known annotations,
 * and all of them with {@code annotations=all} (see {@link AnnotationsShown}). Lists are paged with {@code n} and
 * {@code last} and a {@code Link: <…>; rel="next"} header, like the OCI API.
 * The router checks access before these handlers run: the lists need the catalog's access and show only the
 * repositories the caller may pull from, one artifact needs pull on its repository. Each artifact carries its
 * {@code scan} (see {@link ScanJson}).
 */
public final class ListingApi {
    private final ArtifactListing listing;
    private final ArtifactViews views;
    private final TypeCatalogWatcher catalog;
    private final Paging.Limits paging;

    public ListingApi(ArtifactListing listing, ManifestIndex manifests, TypeCatalogWatcher catalog, ScanStatuses scans,
                      Paging.Limits paging) {
        this.listing = listing;
        this.views = new ArtifactViews(listing, manifests, scans);
        this.catalog = catalog;
        this.paging = paging;
    }

    /** {@code GET /api/v1/types}: the type catalog and the problems of its files. */
    public Future<Reply> types(Exchange exchange) {
        return Future.succeededFuture(types());
    }

    /** {@code GET /api/v1/types/{type}/icon.svg}. */
    public Future<Reply> icon(Exchange exchange) {
        return Future.succeededFuture(icon(exchange.variable("type")));
    }

    /** {@code GET /api/v1/repositories}. */
    public Future<Reply> repositories(Exchange exchange) {
        return exchange.blocking(() -> repositories(exchange, Paging.of(exchange, paging)));
    }

    /** {@code GET /api/v1/artifacts}. */
    public Future<Reply> artifacts(Exchange exchange) {
        return exchange.blocking(() -> artifacts(exchange, Paging.of(exchange, paging)));
    }

    /**
     * {@code GET /api/v1/artifact?repository=&reference=}: like the lists, it needs the catalog's access, and an
     * artifact of a repository the caller may not pull looks exactly like a missing one (404).
     */
    public Future<Reply> artifact(Exchange exchange) {
        Repository repository = Repository.of(param(exchange, "repository")
                .orElseThrow(() -> ErrorCode.NAME_INVALID.exception("the repository parameter is required")));
        Reference reference = ManifestHandler.reference(param(exchange, "reference")
                .orElseThrow(() -> ErrorCode.MANIFEST_INVALID.exception("the reference parameter is required")),
                ErrorCode.MANIFEST_UNKNOWN);
        return exchange.blocking(() -> json(views.full(repository, reference, exchange.grant(), catalog.get(),
                registryHost(exchange.request()))));
    }

    private Reply types() {
        ObjectNode body = ListingJson.MAPPER.createObjectNode();
        ArrayNode types = body.putArray("types");
        catalog.get().types().forEach(type -> types.add(ListingJson.type(type)));
        ArrayNode problems = body.putArray("problems");
        catalog.problems().forEach(p -> problems.addObject().put("file", ListingJson.fileName(p.file())).put("line", p.line())
                .put("column", p.column()).put("message", p.message()));
        return json(body);
    }

    private Reply icon(String typeId) {
        ArtifactType type = catalog.get().type(typeId)
                .orElseThrow(() -> ErrorCode.NAME_UNKNOWN.exception("no artifact type " + typeId));
        return Reply.status(200).header("Cache-Control", "max-age=300")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .bytes(type.icon().svg().getBytes(StandardCharsets.UTF_8), "image/svg+xml");
    }

    private Reply repositories(Exchange exchange, Paging paging) {
        Filter filter = filter(exchange);
        List<ArtifactListing.RepositorySummary> fetched = paging.size() == 0 ? List.of()
                : readable(last -> listing.repositories(filter, last, paging.fetchSize()), s -> s.repository().name(),
                        s -> exchange.canRead(s.repository()), paging.last(), paging.fetchSize());
        Reply reply = Reply.status(200);
        List<ArtifactListing.RepositorySummary> page = paging.page(fetched, reply, nextPath(exchange),
                s -> s.repository().name());
        ObjectNode body = ListingJson.MAPPER.createObjectNode();
        ArrayNode repositories = body.putArray("repositories");
        page.forEach(summary -> repositories.add(ListingJson.repository(summary)));
        return json(reply, body);
    }

    private Reply artifacts(Exchange exchange, Paging paging) {
        Optional<Repository> repository = param(exchange, "repository").map(Repository::of);
        AnnotationsShown shown = AnnotationsShown.parse(param(exchange, "annotations"));
        Filter filter = filter(exchange);
        List<ArtifactRow> fetched = paging.size() == 0 ? List.of()
                : readable(last -> listing.artifacts(repository, filter, last, paging.fetchSize()), ArtifactRow::cursor,
                        row -> exchange.canRead(row.repository()), paging.last(), paging.fetchSize());
        Reply reply = Reply.status(200);
        List<ArtifactRow> page = paging.page(fetched, reply, nextPath(exchange), ArtifactRow::cursor);
        ByteArrayBuilder body = new ByteArrayBuilder(page.size() * 1024);
        try (JsonGenerator json = ListingJson.MAPPER.createGenerator(body)) {
            json.writeStartObject();
            json.writeArrayFieldStart("artifacts");
            views.writeEntries(json, page, catalog.get(), registryHost(exchange.request()), shown);
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return reply.bytes(body.toByteArray(), "application/json");
    }

    /**
     * Up to {@code wanted} rows the caller may read, fetching further pages past rows it may not, so that a page is
     * only short at the end of the list.
     */
    private static <T> List<T> readable(Function<Optional<String>, List<T>> fetch, Function<T, String> cursor,
                                        Predicate<T> canRead, Optional<String> last, int wanted) {
        List<T> result = new ArrayList<>();
        Optional<String> after = last;
        while (result.size() < wanted) {
            List<T> rows = fetch.apply(after);
            rows.stream().filter(canRead).limit(wanted - result.size()).forEach(result::add);
            if (rows.size() < wanted) {
                break;
            }
            after = Optional.of(cursor.apply(rows.get(rows.size() - 1)));
        }
        return result;
    }

    private static Filter filter(Exchange exchange) {
        return new Filter(param(exchange, "q"), param(exchange, "type"));
    }

    private static Optional<String> param(Exchange exchange, String name) {
        return exchange.query(name).filter(v -> !v.isEmpty());
    }

    /** The path the next page's link repeats, with the request's filters. */
    private static String nextPath(Exchange exchange) {
        StringBuilder path = new StringBuilder(exchange.request().path());
        char separator = '?';
        for (String name : List.of("repository", "q", "type", "annotations")) {
            Optional<String> value = param(exchange, name);
            if (value.isPresent()) {
                path.append(separator).append(name).append('=').append(URLEncoder.encode(value.get(), StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return path.toString();
    }

    /** How clients address this registry, from the request's Host: what rendered commands must contain. */
    static String registryHost(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        if (authority == null) {
            return "localhost";
        }
        String host = authority.host().contains(":") && !authority.host().startsWith("[")
                ? "[" + authority.host() + "]" : authority.host();
        return authority.port() > 0 ? host + ":" + authority.port() : host;
    }

    private static Reply json(ObjectNode body) {
        return json(Reply.status(200), body);
    }

    private static Reply json(Reply reply, ObjectNode body) {
        try {
            return reply.bytes(ListingJson.MAPPER.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
