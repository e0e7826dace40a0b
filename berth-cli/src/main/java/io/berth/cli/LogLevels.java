package io.berth.cli;

import io.berth.server.log.LogConfig;

/**
 * Hands the configured log level to slf4j-simple, the CLI's logging: it reads its settings when the first logger is
 * made, so {@code serve} calls this after loading the configuration and before the server makes any. A level given
 * with {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} wins. The access log is not slf4j's: it follows
 * {@code log.access} alone, on standard output, whatever the level of the rest. HikariCP and Flyway, noisy at
 * {@code info}, stay at {@code warn} unless the level is higher.
 */
final class LogLevels {
    private static final String PREFIX = "org.slf4j.simpleLogger.";
    private static final String DEFAULT_LEVEL = PREFIX + "defaultLogLevel";

    private LogLevels() {
    }

    static void apply(LogConfig log) {
        if (System.getProperty(DEFAULT_LEVEL) != null) {
            return;
        }
        String level = log.level().wire();
        System.setProperty(DEFAULT_LEVEL, level);
        if (log.level().compareTo(LogConfig.Level.WARN) > 0) {
            System.setProperty(PREFIX + "log.com.zaxxer.hikari", level);
            System.setProperty(PREFIX + "log.org.flywaydb", level);
        }
    }
}
