package io.berth.cli;

import io.berth.client.auth.DockerConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth logout HOST}: removes the credentials from the file {@code login} writes and from its helper. Other
 * files that still know the registry (podman's, {@code $REGISTRY_AUTH_FILE}) are named, not edited: they belong to
 * the tools that wrote them.
 */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Removes the credentials stored for a registry from the file login writes (--authfile FILE, "
                + "else $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json) and from its credential helper.")
final class LogoutCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "The registry, HOST[:PORT].")
    String registry;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DockerConfig files = remote.credentialFiles();
        boolean removed = files.erase(registry);
        PrintWriter out = spec.commandLine().getOut();
        out.println(removed ? "Removed the credentials for " + registry + " from " + files.loginFile()
                : "No credentials were stored for " + registry + " in " + files.loginFile());
        for (DockerConfig.Other other : files.others(registry)) {
            out.println("Note: " + other.file() + " still has credentials for " + registry
                    + " (written by podman or skopeo; remove them with podman logout " + registry + ")");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
