package io.berth.cli;

import io.berth.client.RegistryClient;
import java.net.URI;
import picocli.CommandLine.Option;

/** The {@code --server} option of the commands that call a Berth server's admin API ({@code gc}, {@code retention}, {@code scrub}). */
final class AdminServer {
    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:5000",
            description = "The Berth server: http://HOST:PORT, https://HOST:PORT or HOST:PORT (HTTPS unless "
                    + "--plain-http). Default: ${DEFAULT-VALUE}.")
    String server;

    /** A client of the server, over plain HTTP when the URL says {@code http://} or {@code --plain-http} is given. */
    RegistryClient client(RemoteOptions remote) {
        boolean plainHttp = remote.plainHttp;
        String registry = server;
        if (server.contains("://")) {
            URI uri = URI.create(server);
            if (!uri.getScheme().equals("http") && !uri.getScheme().equals("https") || uri.getAuthority() == null) {
                throw new IllegalArgumentException("--server must be http://HOST:PORT, https://HOST:PORT or HOST:PORT,"
                        + " was " + server);
            }
            plainHttp = uri.getScheme().equals("http");
            registry = uri.getAuthority();
        }
        return RegistryClient.create(registry, remote.clientOptions().withPlainHttp(plainHttp));
    }
}
