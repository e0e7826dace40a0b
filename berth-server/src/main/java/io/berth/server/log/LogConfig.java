package io.berth.server.log;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code log} section: how much the registry logs, and its access log.
 *
 * @param level  the lowest level written (the CLI hands it to the logging binding before the first line)
 * @param format how access log lines are written: Apache's combined format with Berth's fields added, or one JSON
 *               object per line
 * @param access whether every answered request gets an access log line, on standard output
 */
public record LogConfig(Level level, Format format, boolean access) {
    /** Information and up, access log on in the text format: what CNCF Distribution does too. */
    public static final LogConfig DEFAULT = new LogConfig(Level.INFO, Format.TEXT, true);

    /** The levels, as slf4j names them, and {@code off}. */
    public enum Level {
        TRACE, DEBUG, INFO, WARN, ERROR, OFF;

        /** As configured: {@code info}, {@code WARN}, … */
        public static Optional<Level> parse(String text) {
            try {
                return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How access log lines are written. */
    public enum Format {
        TEXT, JSON;

        public static Optional<Format> parse(String text) {
            try {
                return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    public LogConfig {
        level = level == null ? Level.INFO : level;
        format = format == null ? Format.TEXT : format;
    }

    public LogConfig withAccess(boolean access) {
        return new LogConfig(level, format, access);
    }
}
