package io.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth manifest get|index}: manifests as they are. */
@Command(name = "manifest", mixinStandardHelpOptions = true, description = "Reads manifests and creates indexes.",
        subcommands = {ManifestGetCommand.class, ManifestIndexCommand.class})
final class ManifestCommand {
}
