package io.berth.server.event;

import io.berth.oci.type.TypeCatalog;
import io.berth.server.http.OutboundHttp;
import io.berth.server.http.RouteHandler;
import io.berth.server.meta.ChangeListener;
import io.berth.server.meta.Database;
import io.berth.server.meta.JobLease;
import io.berth.server.meta.NodeId;
import io.berth.server.meta.ManifestIndex;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Events, wired: the {@link ChangeListener} that puts events into the outbox inside the indexes' transactions, the
 * optional pull-event decorator for the manifest GET handler, one {@link Deliverer} per endpoint, and the status API.
 * Built before the server listens; {@link #start} starts delivery once the address is known.
 */
public final class Events implements AutoCloseable {

    private final EventsConfig config;
    private final Outbox outbox;
    private final EventRecorder recorder;
    private final Map<String, Deliverer> deliverers = new LinkedHashMap<>();
    private final Clock clock;
    private final String instanceId = UUID.randomUUID().toString();
    private volatile Event.Source source = new Event.Source("localhost", instanceId);

    private Events(EventsConfig config, Database database, Supplier<TypeCatalog> catalog, NodeId node, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.outbox = new Outbox(database);
        this.recorder = new EventRecorder(outbox, config.endpoints(), catalog, () -> source, clock,
                () -> deliverers.values().forEach(Deliverer::wake));
        if (!config.endpoints().isEmpty()) { // without endpoints, no HTTP client: building one loads the TLS stack
            HttpClient client = OutboundHttp.newClient();
            config.endpoints().forEach(endpoint ->
                    deliverers.put(endpoint.name(), new Deliverer(endpoint, outbox,
                            new JobLease(database, "events:" + endpoint.name(), node, clock), client, clock)));
            outbox.register(config.endpoints().stream().map(EndpointConfig::name).toList());
        }
    }

    public static Events create(EventsConfig config, Database database, Supplier<TypeCatalog> catalog, Clock clock) {
        return create(config, database, catalog, NodeId.generate(), clock);
    }

    /** @param node this node, the holder of the endpoints' delivery leases it takes */
    public static Events create(EventsConfig config, Database database, Supplier<TypeCatalog> catalog, NodeId node,
                                Clock clock) {
        return new Events(config, database, catalog, node, clock);
    }

    /** Events may be pending that another node recorded: the senders look now (only the lease holder's sends). */
    public void wake() {
        deliverers.values().forEach(Deliverer::wake);
    }

    /** What the JDBC indexes call inside their write transactions. */
    public ChangeListener listener() {
        return recorder;
    }

    /** {@code get} recording pull events when {@code events.pull} is on and there is an endpoint; else {@code get}. */
    public RouteHandler pulls(RouteHandler get, ManifestIndex manifests) {
        return config.pull() && !config.endpoints().isEmpty() ? new PullEvents(get, manifests, recorder) : get;
    }

    /** The handlers of the delivery status API. */
    public EventsApi api() {
        return new EventsApi(config.endpoints(), outbox, clock);
    }

    /** Starts delivering; events name {@code host:port} as their source. */
    public void start(String host, int port) {
        source = new Event.Source(hostName(host) + ":" + port, instanceId);
        deliverers.values().forEach(Deliverer::start);
    }

    private static String hostName(String listenHost) {
        if (!listenHost.equals("0.0.0.0") && !listenHost.equals("::") && !listenHost.isEmpty()) {
            return listenHost.contains(":") ? "[" + listenHost + "]" : listenHost;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Stops the senders after the attempts in flight; what is pending stays in the outbox for the next start. */
    @Override
    public void close() {
        deliverers.values().forEach(Deliverer::stop);
        deliverers.values().forEach(Deliverer::close);
    }
}
