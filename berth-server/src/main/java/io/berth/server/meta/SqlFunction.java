package io.berth.server.meta;

import java.sql.SQLException;

/**
 * A piece of JDBC work that may throw {@link SQLException}; {@link Database} runs it and translates the exception.
 *
 * @param <A> what the work is given, usually a {@link java.sql.Connection}
 * @param <R> what the work returns
 */
@FunctionalInterface
public interface SqlFunction<A, R> {
    R apply(A input) throws SQLException;
}
