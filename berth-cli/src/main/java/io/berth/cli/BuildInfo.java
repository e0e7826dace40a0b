package io.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What a build of Berth was made from: the project's version and the git commit, which the build writes into
 * {@value #RESOURCE} (berth-cli/src/build/build-info.sh). A class path without it (an IDE's) is a development build.
 */
record BuildInfo(String version, String commit) {
    static final String RESOURCE = "/io/berth/cli/build.properties";
    static final String UNKNOWN = "unknown";

    /** The build this code belongs to. */
    static BuildInfo current() {
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            return in == null ? new BuildInfo("development-build", UNKNOWN) : read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static BuildInfo read(InputStream in) throws IOException {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "").isBlank() ? "development-build"
                : properties.getProperty("version").strip();
        String commit = properties.getProperty("commit", "").isBlank() ? UNKNOWN : properties.getProperty("commit").strip();
        return new BuildInfo(version, commit);
    }

    /** {@code 0.1.0 (commit 5c8a6df1a2b3)}, or {@code 0.1.0 (unknown commit)} for a build made outside git. */
    String describe() {
        return version + (UNKNOWN.equals(commit) ? " (unknown commit)" : " (commit " + commit + ")");
    }
}
