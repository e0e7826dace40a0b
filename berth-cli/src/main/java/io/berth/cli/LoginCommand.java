package io.berth.cli;

import io.berth.client.ClientOptions;
import io.berth.client.RegistryClient;
import io.berth.client.auth.CredentialSource;
import io.berth.client.auth.Credentials;
import java.io.Console;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth login HOST}: checks the credentials against the registry, then stores them where docker keeps them
 * ({@code ~/.docker/config.json}, or its credential helper), so that docker, podman and ORAS share the login.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Logs in to a registry: checks the credentials, then stores them in ~/.docker/config.json",
                "(through its credsStore or credHelpers helper when one is configured)."})
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
        String where = remote.credentialFiles().save(registry, credentials);
        spec.commandLine().getOut().println("Login Succeeded (credentials for " + registry + " stored in " + where + ")");
        spec.commandLine().getOut().flush();
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
