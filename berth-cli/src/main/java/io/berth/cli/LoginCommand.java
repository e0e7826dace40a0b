package io.berth.cli;

import io.berth.client.ClientOptions;
import io.berth.client.RegistryClient;
import io.berth.client.auth.CredentialSource;
import io.berth.client.auth.Credentials;
import io.berth.client.auth.DockerConfig;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth login HOST}: checks the credentials against the registry, then stores them where docker, podman,
 * skopeo and oras all read them: {@code --authfile FILE}, else {@code $DOCKER_CONFIG/config.json}, else
 * {@code $HOME/.docker/config.json}, through the file's {@code credHelpers}/{@code credsStore} helper when it names
 * one (see {@link DockerConfig}). A file read before that one which also knows the registry is named, since it wins.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Logs in to a registry: checks the credentials, then stores them in --authfile FILE, else "
                + "$DOCKER_CONFIG/config.json, else $HOME/.docker/config.json (mode 0600), through the file's "
                + "credsStore or credHelpers helper (docker-credential-NAME on PATH) when it names one.")
final class LoginCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "The registry, HOST[:PORT].")
    String registry;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Optional<Credentials> given = remote.flagCredentials();
        Credentials credentials = given.orElseGet(this::prompt);
        ClientOptions options = remote.clientOptions().withCredentials(CredentialSource.of(registry, credentials));
        RegistryClient.create(registry, options).ping();
        DockerConfig files = remote.credentialFiles();
        String where = files.save(registry, credentials);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Login Succeeded (credentials for " + registry + " stored in " + where + ")");
        for (DockerConfig.Other other : files.others(registry)) {
            if (other.readFirst()) {
                out.println("Note: " + other.file() + " is read before " + files.loginFile() + " and also has credentials for "
                        + registry + "; those are used until you remove them (podman logout " + registry + ")");
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private Credentials prompt() {
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no terminal to ask for credentials: give --username and --password-stdin");
        }
        String user = console.readLine("Username: ");
        char[] password = console.readPassword("Password: ");
        return Credentials.basic(user, new String(password));
    }
}
