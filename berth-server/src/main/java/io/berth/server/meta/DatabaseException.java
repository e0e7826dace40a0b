package io.berth.server.meta;

import java.sql.SQLException;

/** The metadata database failed: an unchecked wrapper of the {@link SQLException} that {@link Database} caught. */
public final class DatabaseException extends RuntimeException {
    public DatabaseException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
