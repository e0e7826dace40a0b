package io.berth.cli;

import io.berth.client.ClientOptions;
import io.berth.client.auth.CredentialSource;
import io.berth.client.auth.Credentials;
import io.berth.client.auth.DockerConfig;
import io.berth.client.artifact.Artifacts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How commands reach registries: plain HTTP or HTTPS, and whose credentials. */
final class RemoteOptions {
    @Option(names = "--plain-http", description = "Use plain HTTP instead of HTTPS (for a local registry without TLS).")
    boolean plainHttp;

    @Option(names = {"-u", "--username"}, description = "User name (default: docker/podman login credentials).")
    String username;

    @Option(names = {"-p", "--password"}, description = "Password or token (prefer --password-stdin).")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Option(names = "--registry-config", paramLabel = "FILE",
            description = "The credentials file to use instead of docker's and podman's (~/.docker/config.json …).")
    java.nio.file.Path registryConfig;

    DockerConfig credentialFiles() {
        return registryConfig != null ? DockerConfig.file(registryConfig, System.getenv()) : DockerConfig.fromEnvironment();
    }

    Optional<Credentials> flagCredentials() {
        if (passwordStdin) {
            try {
                password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            passwordStdin = false;
        }
        if (username == null && password == null) {
            return Optional.empty();
        }
        if (username == null || password == null) {
            throw new IllegalArgumentException("give both --username and --password (or --password-stdin)");
        }
        return Optional.of(Credentials.basic(username, password));
    }

    ClientOptions clientOptions() {
        CredentialSource files = credentialFiles();
        Optional<Credentials> flags = flagCredentials();
        CredentialSource source = flags.<CredentialSource>map(c -> host -> Optional.of(c)).orElse(files);
        return ClientOptions.defaults().withPlainHttp(plainHttp).withCredentials(source)
                .withUserAgent("berth/" + VersionProvider.version());
    }

    Artifacts artifacts() {
        return Artifacts.create(clientOptions());
    }
}
