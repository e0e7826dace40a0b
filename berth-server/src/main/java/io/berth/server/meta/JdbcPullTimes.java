package io.berth.server.meta;

import static io.berth.server.meta.RepositoryRows.ID_OF_NAME;
import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Writes {@code manifests.pulled_at}: many pulls in one transaction. */
public final class JdbcPullTimes {
    /** A manifest of a repository. */
    public record Pulled(Repository repository, Digest digest) {
    }

    private final Database database;

    public JdbcPullTimes(Database database) {
        this.database = database;
    }

    /**
     * Records each manifest's pull time, unless the stored one is less than {@code precision} older (another node
     * recorded a pull of it since); a manifest deleted meanwhile is skipped. The number of rows written.
     */
    public int record(Map<Pulled, Instant> pulls, Duration precision) {
        if (pulls.isEmpty()) {
            return 0;
        }
        return database.inTransaction(connection -> {
            int written = 0;
            for (Map.Entry<Pulled, Instant> pull : pulls.entrySet()) {
                long at = pull.getValue().toEpochMilli();
                written += sql(connection, "UPDATE manifests SET pulled_at = ? WHERE repository_id = " + ID_OF_NAME
                                + " AND digest = ? AND (pulled_at IS NULL OR pulled_at < ?)", at,
                        pull.getKey().repository().name(), pull.getKey().digest(), at - precision.toMillis()).update();
            }
            return written;
        });
    }
}
