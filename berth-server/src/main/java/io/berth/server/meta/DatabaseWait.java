package io.berth.server.meta;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.sqlite.SQLiteException;

/**
 * A wait on the metadata database that ran out of {@link DatabaseConfig#waitTimeout}: SQLite's write lock held by
 * another connection or process, a PostgreSQL lock held longer than {@code lock_timeout}, no pooled connection free.
 * It is an overload, not a fault: the request answers 503 {@code TOOMANYREQUESTS} (the spec's code for "try again
 * later", with {@code Retry-After}) and a message naming the wait, never 500 or a hang; nothing of it was committed.
 */
public final class DatabaseWait {
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    /** PostgreSQL's {@code lock_not_available}: {@code lock_timeout} ran out. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private DatabaseWait() {
    }

    /** Whether {@code e} says that a lock or a connection was not had within the time allowed. */
    static boolean timedOut(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true; // HikariCP: no connection came free within its connection timeout
        }
        if (e instanceof SQLiteException) {
            int primary = e.getErrorCode() & 0xff; // extended codes (SQLITE_BUSY_SNAPSHOT …) keep the primary in the low byte
            return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
        }
        return LOCK_NOT_AVAILABLE.equals(e.getSQLState());
    }

    /** The answer to {@code e}, a {@link #timedOut} failure after waiting {@code timeout}. */
    static RegistryException exceeded(SQLException e, Duration timeout) {
        String what = e instanceof SQLTransientConnectionException
                ? "no metadata database connection came free"
                : e instanceof SQLiteException
                ? "the metadata database's write lock, held by another connection or process, did not come free"
                : "a lock this request needs in the metadata database was held by another transaction";
        return exceeded(what, timeout);
    }

    /** 503 {@code TOOMANYREQUESTS}: {@code what} happened within {@code timeout}. */
    static RegistryException exceeded(String what, Duration timeout) {
        return ErrorCode.TOOMANYREQUESTS.exception(503, what + " within " + seconds(timeout)
                + " (database.waitTimeout); nothing was written, try again later");
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
