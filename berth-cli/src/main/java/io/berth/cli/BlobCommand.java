package io.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth blob get}: blobs as they are. */
@Command(name = "blob", mixinStandardHelpOptions = true, description = "Reads blobs.",
        subcommands = BlobGetCommand.class)
final class BlobCommand {
}
