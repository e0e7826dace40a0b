package io.berth.cli;

import picocli.CommandLine;

/** The version recorded in the jar's manifest at build time. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"berth " + (version == null ? "(development build)" : version)};
    }
}
