package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.TestDatabases;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The change feed on PostgreSQL ({@code BERTH_TEST_POSTGRES_URL}): a signal sent inside a transaction reaches the
 * other node when it commits and not at all when it rolls back, never the sender itself; when the listening
 * connection is killed the feed says it is not live (caches then keep entries at most half a second), reconnects,
 * and hands every subscriber {@link ChangeFeed#EVERYTHING} since signals were lost meanwhile.
 */
class ChangeFeedPostgresTest {

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void signalsReachTheOtherNodeOnCommitAndTheFeedRecoversFromALostConnection() throws Exception {
        NodeId nodeB = NodeId.generate();
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             Database database = Database.open(schema.config());
             ChangeFeed a = ChangeFeed.of(database, schema.config(), NodeId.generate()).start();
             ChangeFeed b = ChangeFeed.of(database, schema.config(), nodeB).start()) {
            List<String> atA = new CopyOnWriteArrayList<>();
            List<String> atB = new CopyOnWriteArrayList<>();
            a.subscribe(ChangeFeed.Topic.MANIFESTS, atA::add);
            b.subscribe(ChangeFeed.Topic.MANIFESTS, atB::add);
            assertThat(a.live()).isTrue();
            assertThat(b.live()).isTrue();

            try {
                database.inTransaction(connection -> {
                    a.publish(connection, ChangeFeed.Topic.MANIFESTS, "rolled/back");
                    throw new IllegalStateException("roll back");
                });
            } catch (IllegalStateException expected) {
                // the signal goes with the transaction
            }
            a.publish(ChangeFeed.Topic.MANIFESTS, "team/app");
            await(() -> atB.contains("team/app"), "the signal reached the other node");
            Thread.sleep(300);
            assertThat(atB).containsExactly("team/app");
            assertThat(atA).isEmpty();
            assertThat(a.ttl(60_000)).isEqualTo(60_000);

            try (Connection admin = database.dataSource().getConnection(); Statement statement = admin.createStatement()) {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                        + ChangeFeed.applicationName(nodeB) + "'"); // this node's only: other tests may be listening
            }
            await(() -> !b.live(), "the feed noticed it lost its connection");
            assertThat(b.ttl(60_000)).isEqualTo(ChangeFeed.UNLISTENED_TTL_MILLIS);
            await(b::live, "the feed listened again");
            assertThat(atB).contains(ChangeFeed.EVERYTHING);
            a.publish(ChangeFeed.Topic.MANIFESTS, "after/reconnect");
            await(() -> atB.contains("after/reconnect"), "signals arrive again");
        }
    }
}
