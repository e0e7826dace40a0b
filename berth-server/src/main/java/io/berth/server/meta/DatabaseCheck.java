package io.berth.server.meta;

import io.berth.server.startup.ConfigException;
import io.berth.server.startup.Preflight;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Whether the metadata database can be used, asked before the registry starts ({@link #check}), and the one line an
 * operator reads when opening it fails anyway ({@link #openFailure}): PostgreSQL must answer and accept the
 * credentials; an SQLite file that exists must be a writable SQLite database.
 */
public final class DatabaseCheck {
    /** How long a PostgreSQL server that does not answer is waited for at start. */
    static final int CONNECT_TIMEOUT_SECONDS = 5;

    private DatabaseCheck() {
    }

    /**
     * @param setting where the URL came from ({@code database.url}, {@code BERTH_DATABASE_URL}, or {@code --data}
     *                for the embedded default)
     * @param dataDir the data directory, whose own check covers an SQLite file inside it that does not exist yet
     */
    public static void check(DatabaseConfig config, String setting, Path dataDir, Preflight preflight) {
        if (config.isSqlite()) {
            Optional<Path> file;
            try {
                file = Dialect.databaseFile(config.url());
            } catch (IllegalArgumentException e) {
                preflight.add("database " + config.url() + " (" + setting + ") " + e.getMessage()
                        + "; give a file path, e.g. jdbc:sqlite:/var/lib/berth/berth.db", null);
                return;
            }
            file.ifPresent(path -> sqliteFile(path, setting, dataDir, preflight));
        } else {
            postgres(config, setting, preflight);
        }
    }

    private static void sqliteFile(Path file, String setting, Path dataDir, Preflight preflight) {
        String name = "database file " + file + " (" + setting + ")";
        if (Files.isDirectory(file)) {
            preflight.add(name + " is a directory; move it away or point " + setting + " elsewhere", null);
        } else if (Files.exists(file)) {
            if (!Files.isReadable(file) || !Files.isWritable(file)) {
                preflight.add(name + " is not writable by user " + System.getProperty("user.name")
                        + "; give that user read and write access to it and its directory", null);
            }
        } else if (!dataDir.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize().getParent())) {
            preflight.readableOrCreatable(file, "database file", setting, "point " + setting + " elsewhere");
        }
    }

    private static void postgres(DatabaseConfig config, String setting, Preflight preflight) {
        PGSimpleDataSource source = (PGSimpleDataSource) Dialect.POSTGRESQL.unpooledDataSource(config);
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setLoginTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setSocketTimeout(2 * CONNECT_TIMEOUT_SECONDS);
        try (Connection connection = source.getConnection()) {
            connection.isValid(CONNECT_TIMEOUT_SECONDS);
        } catch (SQLException | RuntimeException e) {
            preflight.add(postgresProblem(config, setting, e), e);
        }
    }

    static String postgresProblem(DatabaseConfig config, String setting, Exception e) {
        String name = "database " + shown(config.url()) + " (" + setting + ")";
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
        String reason = Preflight.rootMessage(e);
        if (causedBy(e, UnknownHostException.class)) {
            return name + ": host " + host(config.url()) + " does not resolve; fix the host in " + setting;
        }
        if (state.startsWith("28")) {
            return name + " refused user " + config.username() + " (" + reason + "); fix database.username and"
                    + " database.password (BERTH_DATABASE_USERNAME, BERTH_DATABASE_PASSWORD)";
        }
        if (state.equals("3D000")) {
            return name + " does not exist on the server (" + reason + "); create it (createdb) or fix " + setting;
        }
        if (state.startsWith("08")) {
            return name + ": cannot connect to " + host(config.url()) + " (" + reason + "); start PostgreSQL there"
                    + " or fix " + setting;
        }
        return name + " cannot be used (" + reason + "); check the server and " + setting;
    }

    /**
     * The one line for a database that could not be opened or migrated although the check passed (or was not made):
     * what SQLite or the server said, named by its file or URL.
     */
    public static ConfigException openFailure(DatabaseConfig config, RuntimeException failure) {
        if (!config.isSqlite()) {
            return new ConfigException(postgresProblem(config, "database.url", failure), failure);
        }
        String name = "database file " + Dialect.databaseFile(config.url()).map(Path::toString).orElse(config.url());
        String reason = Preflight.rootMessage(failure);
        SQLiteErrorCode code = find(failure, SQLiteException.class).map(SQLiteException::getResultCode).orElse(null);
        String problem;
        if (code != null && code.name().startsWith("SQLITE_READONLY")) {
            problem = name + " is not writable (" + reason + "); give user " + System.getProperty("user.name")
                    + " write access to it and its directory";
        } else if (code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT) {
            problem = name + " is not an SQLite database or is damaged (" + reason + "); move it away (a new one is"
                    + " created) or restore it from a backup";
        } else if (code == SQLiteErrorCode.SQLITE_FULL || Preflight.full(reason)) {
            problem = name + " is on a full file system (" + reason + "); free space there or choose another data"
                    + " directory with --data";
        } else if (code != null && code.name().startsWith("SQLITE_CANTOPEN")
                || causedBy(failure, IOException.class)) {
            problem = name + " cannot be opened (" + reason + "); check that its directory exists and is writable";
        } else {
            problem = name + " cannot be opened or migrated (" + reason + "); run with --debug for the cause";
        }
        return new ConfigException(problem, failure);
    }

    /** The URL without credentials or parameters, which may hold a password. */
    private static String shown(String url) {
        int query = url.indexOf('?');
        String bare = query >= 0 ? url.substring(0, query) : url;
        return bare.replaceFirst("//[^/@]*@", "//");
    }

    private static String host(String url) {
        try {
            URI uri = URI.create(shown(url).substring("jdbc:".length()));
            return uri.getHost() == null ? shown(url) : uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort());
        } catch (IllegalArgumentException e) {
            return shown(url);
        }
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        return find(failure, type).isPresent();
    }

    private static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }
}
