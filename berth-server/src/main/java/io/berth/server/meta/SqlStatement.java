package io.berth.server.meta;

import io.berth.oci.Digest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
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

    private final Connection connection;
    private final String sql;
    private final Object[] parameters;

    private SqlStatement(Connection connection, String sql, Object[] parameters) {
        this.connection = connection;
        this.sql = sql;
        this.parameters = parameters;
    }

    public static SqlStatement sql(Connection connection, String sql, Object... parameters) {
        return new SqlStatement(connection, sql, parameters);
    }

    /** Runs an INSERT, UPDATE or DELETE; the number of rows it changed. */
    public int update() throws SQLException {
        try (PreparedStatement statement = prepared()) {
            return statement.executeUpdate();
        }
    }

    public <T> List<T> list(RowReader<T> reader) throws SQLException {
        try (PreparedStatement statement = prepared(); ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            while (rows.next()) {
                result.add(reader.read(rows));
            }
            return result;
        }
    }

    public <T> Optional<T> first(RowReader<T> reader) throws SQLException {
        try (PreparedStatement statement = prepared(); ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
        }
    }

    public boolean exists() throws SQLException {
        return first(row -> Boolean.TRUE).isPresent();
    }

    private PreparedStatement prepared() throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.length; i++) {
                bind(statement, i + 1, parameters[i]);
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
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
