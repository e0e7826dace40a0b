package io.berth.cli;

import picocli.CommandLine;

/** {@code berth --version}: the version and the git commit recorded at build time ({@link BuildInfo}). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"berth " + BuildInfo.current().describe()};
    }

    /** The bare version, as the client's User-Agent carries it. */
    static String version() {
        return BuildInfo.current().version();
    }
}
