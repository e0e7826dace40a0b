package io.berth.server.meta;

import io.berth.oci.Digest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One SQL statement with its parameters, run on a connection the caller owns. Parameters may be {@link String},
 * {@link Long}, {@link Integer}, {@code byte[]}, {@link Digest} (bound as its text) or {@code null} (a NULL text).
 * Public for the stores of other packages (event outbox, scans) that write in the same database.
 */
public final class SqlStatement {
    /** Reads the current row of a result set. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /**
     * Statements prepared once and run many times on one connection, for the length of one piece of work (a page of
     * the listing runs the same query for each repository it walks: preparing it again each time cost more than
     * running it). Closing it closes them.
     */
    public static final class Reused implements AutoCloseable {
        private final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();

        public Reused(Connection connection) {
            this.connection = connection;
        }

        public SqlStatement sql(String sql, Object... parameters) {
            return new SqlStatement(connection, sql, parameters, this);
        }

        private PreparedStatement prepared(String sql) throws SQLException {
            PreparedStatement statement = statements.get(sql);
            if (statement == null) {
                statement = connection.prepareStatement(sql);
                statements.put(sql, statement);
            } else {
                statement.clearParameters();
            }
            return statement;
        }

        @Override
        public void close() throws SQLException {
            SQLException failure = null;
            for (PreparedStatement statement : statements.values()) {
                try {
                    statement.close();
                } catch (SQLException e) {
                    failure = failure == null ? e : failure;
                }
            }
            statements.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    private final Connection connection;
    private final String sql;
    private final Object[] parameters;
    /** Where the statement comes from and goes back to; null: prepared for this run and closed after it. */
    private final Reused reused;

    private SqlStatement(Connection connection, String sql, Object[] parameters, Reused reused) {
        this.connection = connection;
        this.sql = sql;
        this.parameters = parameters;
        this.reused = reused;
    }

    public static SqlStatement sql(Connection connection, String sql, Object... parameters) {
        return new SqlStatement(connection, sql, parameters, null);
    }

    /** Runs an INSERT, UPDATE or DELETE; the number of rows it changed. */
    public int update() throws SQLException {
        PreparedStatement statement = prepared();
        try {
            return statement.executeUpdate();
        } finally {
            release(statement);
        }
    }

    public <T> List<T> list(RowReader<T> reader) throws SQLException {
        PreparedStatement statement = prepared();
        try (ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            while (rows.next()) {
                result.add(reader.read(rows));
            }
            return result;
        } finally {
            release(statement);
        }
    }

    public <T> Optional<T> first(RowReader<T> reader) throws SQLException {
        PreparedStatement statement = prepared();
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
        } finally {
            release(statement);
        }
    }

    private void release(PreparedStatement statement) throws SQLException {
        if (reused == null) {
            statement.close();
        }
    }

    public boolean exists() throws SQLException {
        return first(row -> Boolean.TRUE).isPresent();
    }

    private PreparedStatement prepared() throws SQLException {
        PreparedStatement statement = reused != null ? reused.prepared(sql) : connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.length; i++) {
                bind(statement, i + 1, parameters[i]);
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            release(statement);
            throw e;
        }
    }

    private void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else if (value instanceof String text) {
            statement.setString(index, text);
        } else if (value instanceof Long number) {
            statement.setLong(index, number);
        } else if (value instanceof Integer number) {
            statement.setLong(index, number);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof Digest digest) {
            statement.setString(index, digest.toString());
        } else {
            throw new IllegalArgumentException("cannot bind " + value.getClass().getName() + " in: " + sql);
        }
    }
}
