package io.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code berth} executable: the registry server and, later, the artifact author's commands. */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "An OCI artifact registry that understands what it stores.",
        subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
