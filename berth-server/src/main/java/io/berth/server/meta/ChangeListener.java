package io.berth.server.meta;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Reacts to the {@link Change}s the JDBC indexes make. {@link #written} runs inside the writing transaction, on its
 * connection, so what it records commits or rolls back with the change (the event outbox, the scan queue);
 * {@link #committed} runs after the commit, to wake whoever works through what was recorded.
 */
public interface ChangeListener {
    /** Listens to nothing. */
    ChangeListener NONE = (connection, change) -> {
    };

    /** Inside the transaction that made {@code change}; throwing rolls the change back. */
    void written(Connection connection, Change change) throws SQLException;

    /** After the transaction that made {@code change} committed; must not throw. */
    default void committed(Change change) {
    }

    /** This listener, then {@code next}. */
    default ChangeListener andThen(ChangeListener next) {
        ChangeListener first = this;
        return new ChangeListener() {
            @Override
            public void written(Connection connection, Change change) throws SQLException {
                first.written(connection, change);
                next.written(connection, change);
            }

            @Override
            public void committed(Change change) {
                first.committed(change);
                next.committed(change);
            }
        };
    }
}
