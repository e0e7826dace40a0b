package io.berth.server;

import static io.berth.server.auth.Action.DELETE;
import static io.berth.server.auth.Action.PULL;
import static io.berth.server.auth.Action.PUSH;

import io.berth.oci.Endpoint;
import io.berth.oci.Endpoint.Method;
import io.berth.server.auth.AccessController;
import io.berth.server.event.EventsApi;
import io.berth.server.gc.GcApi;
import io.berth.server.handler.BlobHandler;
import io.berth.server.handler.ListHandlers;
import io.berth.server.handler.ManifestHandler;
import io.berth.server.handler.UploadHandler;
import io.berth.server.http.Access;
import io.berth.server.http.Health;
import io.berth.server.http.Lane;
import io.berth.server.http.Reply;
import io.berth.server.http.RequestObserver;
import io.berth.server.http.Route;
import io.berth.server.http.RouteHandler;
import io.berth.server.http.Router;
import io.berth.server.http.TokenRoute;
import io.berth.server.http.Workers;
import io.berth.server.listing.ListingApi;
import io.berth.server.readiness.ReadinessApi;
import io.berth.server.readiness.WriteAccess;
import io.berth.server.scrub.ScrubApi;
import io.berth.server.retention.RetentionApi;
import io.berth.server.scan.ScanApi;
import io.berth.server.ui.WebUi;
import io.berth.server.usage.UsageApi;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything Berth serves, with the access each route needs. Reading is {@code pull}; writing is {@code push} and
 * {@code pull} (as in CNCF Distribution, so a pusher's token works for the reads a push makes; cancelling an upload is
 * part of pushing); deleting is {@code delete}. A cross-repository mount also needs {@code pull} on its source, which
 * the upload handler checks (without it the request becomes a normal upload).
 *
 * <p>Public, by decision: health, the token endpoint and its keys (authenticating is what they are for), the type
 * catalog and its icons (the same for every registry of a version), and the web UI's shell and files (they hold no
 * data: the pages read the listing API, which applies the repository's rules). Everything else follows the
 * repositories' rules, and the delivery and scanner status and the storage usage are for the registry's operators
 * ({@link Access#ADMIN}). While the registry is read-only ({@link WriteAccess}) the routes that write its content refuse
 * with 503; an upload's status and its cancellation stay, as do the admin routes.
 * {@code /metrics} is for them too, and for a robot made to scrape it ({@link Access#METRICS}): Prometheus then holds
 * a credential that can read nothing else.
 */
final class RouteTable {
    private RouteTable() {
    }

    /** The handlers the routes call; the token routes only with authorization on, the UI's only when it is on. */
    record Handlers(Health health, BlobHandler blobs, UploadHandler uploads, ManifestHandler manifests,
                    RouteHandler manifestPulls, ListHandlers lists, ListingApi listing, ScanApi scans, EventsApi events,
                    RouteHandler metrics, UsageApi usage, GcApi gc, RetentionApi retention, Optional<TokenRoute> tokens, Optional<WebUi> ui,
                    ReadinessApi readiness, ScrubApi scrub, WriteAccess writes) {
    }

    /** @param observers who is told of every answered request: the request metrics, the access log */
    static Router build(Workers workers, AccessController access, Handlers h,
                        Function<List<Route>, RequestObserver> observers) {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        RouteHandler versionCheck = e -> Future.succeededFuture(Reply.status(200).bytes(empty, "application/json"));
        // Every write to the registry's content is refused while it is read-only; reads are not.
        Function<RouteHandler, RouteHandler> write = h.writes()::guard;
        Router.Builder routes = Router.builder(workers, access).observedBy(observers)
                .probe("/healthz", Access.PUBLIC, h.health()::live)
                .probe("/readyz", Access.PUBLIC, h.readiness()::ready)
                .probe("/metrics", Access.METRICS, h.metrics())

                .on(Endpoint.BASE, Method.GET, Access.IDENTITY, versionCheck)
                .on(Endpoint.BASE, Method.HEAD, Access.IDENTITY, versionCheck)
                .on(Endpoint.CATALOG, Method.GET, Access.CATALOG, h.lists()::catalog)
                .on(Endpoint.TAGS, Method.GET, Access.repository(PULL), h.lists()::tags)
                .on(Endpoint.REFERRERS, Method.GET, Access.repository(PULL), h.lists()::referrers)
                .on(Endpoint.MANIFEST, Method.GET, Access.repository(PULL), h.manifestPulls())
                .on(Endpoint.MANIFEST, Method.HEAD, Access.repository(PULL), h.manifests()::get)
                .on(Endpoint.MANIFEST, Method.PUT, Access.repository(PULL, PUSH), write.apply(h.manifests()::put))
                .on(Endpoint.MANIFEST, Method.DELETE, Access.repository(DELETE), write.apply(h.manifests()::delete))
                .on(Endpoint.BLOB, Method.GET, Access.repository(PULL), h.blobs()::get)
                .on(Endpoint.BLOB, Method.HEAD, Access.repository(PULL), h.blobs()::get)
                .on(Endpoint.BLOB, Method.DELETE, Access.repository(DELETE), write.apply(h.blobs()::delete))
                .on(Endpoint.UPLOADS, Method.POST, Access.repository(PULL, PUSH), write.apply(h.uploads()::post))
                .on(Endpoint.UPLOAD, Method.PATCH, Access.repository(PULL, PUSH), write.apply(h.uploads()::patch))
                .on(Endpoint.UPLOAD, Method.PUT, Access.repository(PULL, PUSH), write.apply(h.uploads()::put))
                // an upload's status touches its session (a write, as part of pushing)
                .on(Endpoint.UPLOAD, Method.GET, Access.repository(PULL, PUSH), Lane.WRITE, h.uploads()::status)
                .on(Endpoint.UPLOAD, Method.DELETE, Access.repository(PULL, PUSH), h.uploads()::cancel)

                .get("/api/v1/types", Access.PUBLIC, h.listing()::types)
                .get("/api/v1/types/{type}/icon.svg", Access.PUBLIC, h.listing()::icon)
                .get("/api/v1/repositories", Access.CATALOG, h.listing()::repositories)
                .get("/api/v1/artifacts", Access.CATALOG, h.listing()::artifacts)
                .get("/api/v1/artifact", Access.CATALOG, h.listing()::artifact)
                .get("/api/v1/artifact/scan", Access.repositoryParameter(PULL), h.scans()::artifactScans)
                .on(HttpMethod.POST, "/api/v1/artifact/scan", Access.repositoryParameter(PULL, PUSH), h.scans()::scanNow)
                .get("/api/v1/scanners", Access.ADMIN, h.scans()::scanners)
                .get("/api/v1/events/endpoints", Access.ADMIN, h.events()::endpoints)
                .get("/api/v1/events/metrics", Access.ADMIN, h.events()::metrics)
                .get("/api/v1/admin/storage", Access.ADMIN, h.usage()::storage)
                .on(HttpMethod.POST, "/api/v1/admin/gc", Access.ADMIN, h.gc()::collect)
                .get("/api/v1/admin/gc", Access.ADMIN, h.gc()::runs)
                .on(HttpMethod.POST, "/api/v1/admin/gc/pause", Access.ADMIN, h.gc()::pause)
                .on(HttpMethod.POST, "/api/v1/admin/gc/resume", Access.ADMIN, h.gc()::resume)
                .get("/api/v1/admin/read-only", Access.ADMIN, h.readiness()::readOnly)
                .on(HttpMethod.POST, "/api/v1/admin/read-only", Access.ADMIN, h.readiness()::setReadOnly)
                .on(HttpMethod.POST, "/api/v1/admin/scrub", Access.ADMIN, h.scrub()::scrub)
                .get("/api/v1/admin/scrub", Access.ADMIN, h.scrub()::runs)

                .get("/api/v1/admin/retention/preview", Access.ADMIN, h.retention()::preview)
                .on(HttpMethod.POST, "/api/v1/admin/retention", Access.ADMIN, h.retention()::run);
        h.tokens().ifPresent(tokens -> routes
                .get("/token", Access.PUBLIC, tokens::issue)
                .on(HttpMethod.POST, "/token", Access.PUBLIC, tokens::issue)
                .on(HttpMethod.POST, "/token/revoke", Access.PUBLIC, tokens::revoke)
                .get("/token/jwks", Access.PUBLIC, tokens::keys)
                .on(HttpMethod.POST, "/api/v1/accounts/{account}/revoke", Access.ADMIN, tokens::revokeAccount));
        h.ui().ifPresent(ui -> routes
                .get("/", Access.PUBLIC, ui::page)
                .get("/types", Access.PUBLIC, ui::page)
                .get("/storage", Access.PUBLIC, ui::page)
                .get("/r/**", Access.PUBLIC, ui::page)
                .get("/ui/**", Access.PUBLIC, ui::file));
        return routes.build();
    }
}
