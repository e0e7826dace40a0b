package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the other nodes sharing a PostgreSQL database that something they keep in memory changed, within
 * milliseconds: a write {@link #publish}es a signal — a {@link Topic} and an argument, such as the repository whose
 * tags moved — with {@code pg_notify} inside its own transaction, so PostgreSQL delivers it only if and once the write
 * commits; every node {@code LISTEN}s on a dedicated connection outside the pool (a pooled connection would be handed
 * to requests) and hands each signal of another node to the subscribers of its topic (caches invalidate, the
 * read-only switch reloads, senders wake).
 *
 * <p>When the listening connection fails, {@link #live} is false until it is back: the caches then keep an entry no
 * longer than {@link #UNLISTENED_TTL_MILLIS}, so a change still shows on every node within a second, and this is
 * logged. On every (re)connection the subscribers get {@link #EVERYTHING}, as signals sent meanwhile were lost.
 *
 * <p>On SQLite only one node uses the database: there is nothing to tell, signals go nowhere and {@link #live} is
 * always true (writes through this node's indexes invalidate its caches themselves).
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    static final String CHANNEL = "berth_changes";
    static final String APPLICATION_NAME = "berth-change-feed";
    /** The argument that means "everything of the topic may have changed". */
    public static final String EVERYTHING = "*";
    /** How long a cached entry may be used while signals cannot be received. */
    public static final long UNLISTENED_TTL_MILLIS = 500;
    private static final int POLL_MILLIS = 250;
    /** How often the listening connection is checked with a query: a dead peer does not always fail the wait. */
    private static final long CHECK_MILLIS = 5_000;
    private static final long RECONNECT_MILLIS = 1_000;

    /** What changed. */
    public enum Topic {
        /** Tags or manifests of the repository named by the argument. */
        MANIFESTS,
        /** Blob links of the repository named by the argument. */
        BLOBS,
        /** The operator's read-only mode. */
        READ_ONLY,
        /** Token revocations. */
        REVOCATIONS
    }

    private final NodeId node;
    private final Database database;
    private final DataSource listening;
    private final Map<Topic, List<Consumer<String>>> subscribers = new EnumMap<>(Topic.class);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean live;

    private ChangeFeed(NodeId node, Database database, DataSource listening) {
        this.node = node;
        this.database = database;
        this.listening = listening;
        for (Topic topic : Topic.values()) {
            subscribers.put(topic, new CopyOnWriteArrayList<>());
        }
        this.live = listening == null;
        this.thread = new Thread(this::listen, "berth-change-feed");
        this.thread.setDaemon(true);
    }

    /** The feed of {@code database} for this node; listening starts with {@link #start}. */
    public static ChangeFeed of(Database database, DatabaseConfig config, NodeId node) {
        DataSource listening = null;
        if (database.dialect() == Dialect.POSTGRESQL) {
            PGSimpleDataSource source = (PGSimpleDataSource) database.dialect().unpooledDataSource(config);
            source.setApplicationName(applicationName(node)); // what pg_stat_activity shows for the connection
            listening = source;
        }
        return new ChangeFeed(node, database, listening);
    }

    /** Starts listening (PostgreSQL); waits up to a second for the first connection so that caches start trusted. */
    public ChangeFeed start() {
        if (listening != null) {
            thread.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (!live && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return this;
    }

    /** {@code handler} gets the argument of each signal of {@code topic} from another node, on the listening thread. */
    public void subscribe(Topic topic, Consumer<String> handler) {
        subscribers.get(topic).add(handler);
    }

    /** Whether signals arrive now: what caches decide by whether an entry may be kept beyond a second. */
    public boolean live() {
        return live;
    }

    /** Inside the caller's write transaction: the signal goes out when it commits, not at all when it rolls back. */
    public void publish(Connection connection, Topic topic, String argument) throws SQLException {
        if (listening != null) {
            sql(connection, "SELECT pg_notify(?, ?)", CHANNEL, payload(topic, argument)).first(row -> 1);
        }
    }

    /** Outside a transaction: sent now. */
    public void publish(Topic topic, String argument) {
        if (listening != null) {
            database.withConnection(connection -> {
                publish(connection, topic, argument);
                return null;
            });
        }
    }

    /**
     * Signals the changes the JDBC indexes make, in their transactions; add it to the indexes' listeners. A manifest
     * stored without a tag changes nothing another node caches (a digest names the same bytes everywhere), so it sends
     * nothing: PostgreSQL serializes the commits of notifying transactions, and the children of an index are many.
     */
    public ChangeListener listener() {
        return (connection, change) -> {
            if (change instanceof Change.ManifestPut put && put.tag().isEmpty()) {
                return;
            }
            publish(connection, change instanceof Change.BlobDeleted ? Topic.BLOBS : Topic.MANIFESTS,
                    change.repository().name());
        };
    }

    /** The listening connection's {@code application_name}: the feed's and the node's. */
    static String applicationName(NodeId node) {
        String name = APPLICATION_NAME + " " + node.value();
        return name.length() > 63 ? name.substring(0, 63) : name; // PostgreSQL keeps 63 bytes
    }

    private String payload(Topic topic, String argument) {
        return node.value() + "\t" + topic.name() + "\t" + argument;
    }

    private void listen() {
        boolean warned = false;
        while (stopping.getCount() > 0) {
            try (Connection connection = listening.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection notifications = connection.unwrap(PGConnection.class);
                dispatchToAll(EVERYTHING); // whatever changed while nobody listened
                live = true;
                if (warned) {
                    LOG.info("change feed: listening again; caches keep their entries as long as usual");
                    warned = false;
                }
                long nextCheck = System.currentTimeMillis() + CHECK_MILLIS;
                while (stopping.getCount() > 0) {
                    PGNotification[] received = notifications.getNotifications(POLL_MILLIS);
                    if (received != null) {
                        for (PGNotification notification : received) {
                            dispatch(notification.getParameter());
                        }
                    }
                    if (System.currentTimeMillis() >= nextCheck) {
                        try (Statement statement = connection.createStatement()) {
                            statement.execute("SELECT 1");
                        }
                        nextCheck = System.currentTimeMillis() + CHECK_MILLIS;
                    }
                }
            } catch (SQLException | RuntimeException e) {
                live = false;
                if (!warned && stopping.getCount() > 0) {
                    LOG.warn("change feed: cannot listen for other nodes' changes ({}); until it can, cached tags,"
                            + " manifests and blob links are kept at most {} ms and the read-only switch is re-read"
                            + " as often", e.toString(), UNLISTENED_TTL_MILLIS);
                    warned = true;
                }
            }
            try {
                if (stopping.await(RECONNECT_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void dispatch(String payload) {
        String[] parts = payload.split("\t", 3);
        if (parts.length != 3 || parts[0].equals(node.value())) {
            return; // this node's own writes invalidated what they changed already
        }
        Topic topic;
        try {
            topic = Topic.valueOf(parts[1]);
        } catch (IllegalArgumentException e) {
            return; // a newer node's topic
        }
        deliver(topic, parts[2]);
    }

    private void dispatchToAll(String argument) {
        for (Topic topic : Topic.values()) {
            deliver(topic, argument);
        }
    }

    private void deliver(Topic topic, String argument) {
        for (Consumer<String> handler : subscribers.get(topic)) {
            try {
                handler.accept(argument);
            } catch (RuntimeException e) {
                LOG.warn("change feed: a subscriber of {} failed: {}", topic, e.toString());
            }
        }
    }

    /** How long a cache entry may be kept now: {@code configured} while live, else {@link #UNLISTENED_TTL_MILLIS} at most. */
    public long ttl(long configured) {
        return live ? configured : Math.min(configured, UNLISTENED_TTL_MILLIS);
    }

    @Override
    public void close() {
        stopping.countDown();
        if (thread.isAlive()) {
            try {
                thread.join(POLL_MILLIS * 4L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
