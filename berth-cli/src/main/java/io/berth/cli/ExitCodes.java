package io.berth.cli;

/** What {@code berth} exits with. */
final class ExitCodes {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;
    /** {@code berth serve}: the configuration, or the machine it names, cannot be used. */
    static final int CONFIGURATION = 2;
    static final int NOT_FOUND = 3;
    static final int AUTH = 4;

    private ExitCodes() {
    }
}
