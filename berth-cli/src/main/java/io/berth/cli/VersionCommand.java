package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth version}. */
@Command(name = "version", description = "Prints the version.")
final class VersionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        for (String line : new VersionProvider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        spec.commandLine().getOut().println("java " + System.getProperty("java.version"));
        spec.commandLine().getOut().flush();
    }
}
