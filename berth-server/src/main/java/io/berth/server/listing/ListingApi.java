package io.berth.server.listing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.ErrorCode;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.auth.AccessController;
import io.berth.server.auth.AccessRequest;
import io.berth.server.auth.Decision;
import io.berth.server.auth.Scope;
import io.berth.server.http.ErrorRenderer;
import io.berth.server.http.RegistryApi;
import io.berth.server.http.Reply;
import io.berth.server.meta.ArtifactListing;
import io.berth.server.meta.ArtifactListing.ArtifactRow;
import io.berth.server.meta.ArtifactListing.Filter;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.scan.ScanStatuses;
import io.berth.server.type.TypeCatalogWatcher;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry listing as JSON under {@code /api/v1/}: the type catalog and its icons, repositories with artifact
 * counts per type, artifacts with their type, platforms, size, referrers and rendered actions, and one artifact in
 * full. Lists are paged with {@code n} and {@code last} and a {@code Link: <…>; rel="next"} header, like the OCI API.
 * Like the catalog, it needs the caller's identity and shows only the repositories the caller may pull from; a
 * repository the caller may not read looks exactly like one that does not exist. Each artifact carries its
 * {@code scan} (see {@link ScanJson}).
 */
public final class ListingApi implements Handler<HttpServerRequest> {
    private static final Pattern ICON = Pattern.compile("/api/v1/types/([a-z0-9][a-z0-9.-]*)/icon\\.svg");
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    private final ArtifactListing listing;
    private final ArtifactViews views;
    private final TypeCatalogWatcher catalog;
    private final WorkerExecutor workers;
    private final AccessController access;

    public ListingApi(ArtifactListing listing, ManifestIndex manifests, TypeCatalogWatcher catalog,
                      WorkerExecutor workers, AccessController access, ScanStatuses scans) {
        this.listing = listing;
        this.views = new ArtifactViews(listing, manifests, scans);
        this.catalog = catalog;
        this.workers = workers;
        this.access = access;
    }

    /** What a request may see: the repositories the caller may pull from. */
    private interface Work {
        Reply run(Decision.Grant grant) throws Exception;
    }

    @Override
    public void handle(HttpServerRequest request) {
        request.pause();
        Work work;
        try {
            work = route(request);
        } catch (RuntimeException e) {
            ErrorRenderer.render(request, e);
            return;
        }
        AccessRequest needs = new AccessRequest(Optional.ofNullable(request.getHeader("Authorization")),
                request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress(),
                RegistryApi.origin(request), List.of(Scope.CATALOG));
        access.authorize(needs).compose(decision -> {
            if (decision instanceof Decision.Challenge challenge) {
                challenge.headers().forEach(request.response()::putHeader);
                throw challenge.code().exception(challenge.detail());
            }
            Callable<Reply> granted = () -> work.run((Decision.Grant) decision);
            return workers.executeBlocking(granted, false);
        }).onComplete(result -> {
            if (result.succeeded()) {
                result.result().sendTo(request);
            } else {
                ErrorRenderer.render(request, result.cause());
            }
        });
    }

    private Work route(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().putHeader("Allow", "GET, HEAD");
            throw ErrorCode.UNSUPPORTED.exception("the listing API is read-only");
        }
        String path = request.path();
        Matcher icon = ICON.matcher(path);
        return switch (path) {
            case "/api/v1/types" -> grant -> types();
            case "/api/v1/repositories" -> grant -> repositories(request, grant);
            case "/api/v1/artifacts" -> grant -> artifacts(request, grant);
            case "/api/v1/artifact" -> grant -> artifact(request, grant);
            default -> {
                if (icon.matches()) {
                    yield grant -> icon(icon.group(1));
                }
                throw ErrorCode.NOT_FOUND.exception("no such listing resource: " + path);
            }
        };
    }

    private Reply types() {
        ObjectNode body = ListingJson.MAPPER.createObjectNode();
        ArrayNode types = body.putArray("types");
        catalog.get().types().forEach(type -> types.add(ListingJson.type(type)));
        ArrayNode problems = body.putArray("problems");
        catalog.problems().forEach(p -> problems.addObject().put("file", p.file()).put("line", p.line())
                .put("column", p.column()).put("message", p.message()));
        return json(body);
    }

    private Reply icon(String typeId) {
        ArtifactType type = catalog.get().type(typeId)
                .orElseThrow(() -> ErrorCode.NOT_FOUND.exception("no artifact type " + typeId));
        return Reply.status(200).header("Cache-Control", "max-age=300")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .bytes(type.icon().svg().getBytes(StandardCharsets.UTF_8), "image/svg+xml");
    }

    private Reply repositories(HttpServerRequest request, Decision.Grant grant) {
        int size = pageSize(request);
        Filter filter = filter(request);
        List<ArtifactListing.RepositorySummary> fetched = readable(last -> listing.repositories(filter, last, size + 1),
                s -> s.repository().name(), s -> grant.canRead(s.repository()), param(request, "last"), size + 1);
        Reply reply = Reply.status(200);
        List<ArtifactListing.RepositorySummary> page = page(fetched, size, reply, request, s -> s.repository().name());
        ObjectNode body = ListingJson.MAPPER.createObjectNode();
        ArrayNode repositories = body.putArray("repositories");
        page.forEach(summary -> repositories.add(ListingJson.repository(summary)));
        return json(reply, body);
    }

    private Reply artifacts(HttpServerRequest request, Decision.Grant grant) {
        int size = pageSize(request);
        Optional<Repository> repository = param(request, "repository").map(Repository::of);
        Filter filter = filter(request);
        List<ArtifactRow> fetched = readable(last -> listing.artifacts(repository, filter, last, size + 1),
                ArtifactRow::cursor, row -> grant.canRead(row.repository()), param(request, "last"), size + 1);
        Reply reply = Reply.status(200);
        List<ArtifactRow> page = page(fetched, size, reply, request, ArtifactRow::cursor);
        TypeCatalog types = catalog.get();
        String registry = registryHost(request);
        ObjectNode body = ListingJson.MAPPER.createObjectNode();
        ArrayNode artifacts = body.putArray("artifacts");
        views.entries(page, types, registry).forEach(artifacts::add);
        return json(reply, body);
    }

    private Reply artifact(HttpServerRequest request, Decision.Grant grant) {
        Repository repository = Repository.of(param(request, "repository")
                .orElseThrow(() -> ErrorCode.NAME_INVALID.exception("the repository parameter is required")));
        Reference reference = Reference.parse(param(request, "reference")
                .orElseThrow(() -> ErrorCode.MANIFEST_INVALID.exception("the reference parameter is required")));
        return json(views.full(repository, reference, grant, catalog.get(), registryHost(request)));
    }

    /**
     * Up to {@code wanted} rows the caller may read, fetching further pages past rows it may not, so that a page is
     * only short at the end of the list.
     */
    private static <T> List<T> readable(Function<Optional<String>, List<T>> fetch, Function<T, String> cursor,
                                        java.util.function.Predicate<T> canRead, Optional<String> last, int wanted) {
        List<T> result = new java.util.ArrayList<>();
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

    private static Filter filter(HttpServerRequest request) {
        return new Filter(param(request, "q"), param(request, "type"));
    }

    private static Optional<String> param(HttpServerRequest request, String name) {
        return Optional.ofNullable(request.getParam(name)).filter(v -> !v.isEmpty());
    }

    private static int pageSize(HttpServerRequest request) {
        try {
            int n = param(request, "n").map(Integer::parseInt).orElse(DEFAULT_PAGE);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return Math.min(n, MAX_PAGE);
        } catch (NumberFormatException e) {
            throw ErrorCode.PAGINATION_NUMBER_INVALID.exception("n must be a positive integer");
        }
    }

    /** Trims to the page and, when there is more, links to the next page with the same filters. */
    private static <T> List<T> page(List<T> fetched, int size, Reply reply, HttpServerRequest request,
                                    Function<T, String> cursor) {
        if (fetched.size() <= size) {
            return fetched;
        }
        List<T> page = fetched.subList(0, size);
        StringBuilder next = new StringBuilder(request.path()).append("?n=").append(size);
        for (String name : List.of("repository", "q", "type")) {
            param(request, name).ifPresent(v -> next.append('&').append(name).append('=').append(encode(v)));
        }
        next.append("&last=").append(encode(cursor.apply(page.get(size - 1))));
        reply.header("Link", "<" + next + ">; rel=\"next\"");
        return page;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
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
