package io.berth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth logout HOST}: removes the stored credentials. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Removes the credentials stored for a registry.")
final class LogoutCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "The registry, HOST[:PORT].")
    String registry;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean removed = remote.credentialFiles().erase(registry);
        spec.commandLine().getOut().println(removed ? "Removed the credentials for " + registry
                : "No credentials were stored for " + registry);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
