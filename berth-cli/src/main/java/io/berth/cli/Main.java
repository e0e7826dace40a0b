package io.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code berth} executable: the registry server ({@code serve}) and the artifact author's commands, which work
 * against any OCI registry. Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 authentication.
 */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "An OCI artifact registry that understands what it stores, and a client for any OCI registry.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:error", "2:usage or configuration error", "3:not found", "4:authentication required or refused"},
        subcommands = {ServeCommand.class, SelftestCommand.class, PushCommand.class, PullCommand.class, CopyCommand.class, TagCommand.class,
                AttachCommand.class, DiscoverCommand.class, LsCommand.class, ShowTagsCommand.class, ManifestCommand.class,
                BlobCommand.class, DeleteCommand.class, GcCommand.class, ScrubCommand.class, RetentionCommand.class, LoginCommand.class, LogoutCommand.class, VersionCommand.class,
                CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Berth's error handling: what {@link #main} runs, for tests to run in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new Failures());
        return cli;
    }
}
