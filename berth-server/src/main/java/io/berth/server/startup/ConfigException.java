package io.berth.server.startup;

import java.util.List;

/**
 * A configuration that cannot be used, or a machine it cannot be used on, with every problem found, each in one line
 * that names the thing (path, address, setting) and what to do. What caused a problem (an {@code IOException}, a
 * driver's {@code SQLException}) is kept as the cause or as suppressed exceptions, for {@code berth serve --debug}.
 */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One problem and the failure it was found by. */
    public ConfigException(String problem, Throwable cause) {
        this(List.of(problem));
        initCause(cause);
    }

    /** Several problems and the failures they were found by (as suppressed exceptions). */
    public ConfigException(List<String> problems, List<Throwable> causes) {
        this(problems);
        causes.forEach(this::addSuppressed);
    }

    public List<String> problems() {
        return problems;
    }
}
