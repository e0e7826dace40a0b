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

    @Option(names = {"--authfile", "--registry-config"}, paramLabel = "FILE",
            description = "The only credentials file to read and write (podman's and skopeo's --authfile, oras's "
                    + "--registry-config). Default: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, "
                    + "~/.config/containers/auth.json, $DOCKER_CONFIG/config.json or ~/.docker/config.json, "
                    + "~/.dockercfg, read in that order; login writes $DOCKER_CONFIG/config.json, else "
                    + "$HOME/.docker/config.json.")
    java.nio.file.Path authFile;

    DockerConfig credentialFiles() {
        return authFile != null ? DockerConfig.file(authFile, System.getenv()) : DockerConfig.fromEnvironment();
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
