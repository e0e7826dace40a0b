package io.berth.cli;

import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.ConfigLoader;
import io.berth.server.event.EndpointConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth serve}: runs the registry until SIGTERM or SIGINT, then shuts down cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the registry. By default on 127.0.0.1:5000 with blobs and an embedded SQLite database "
                + "under ./berth-data.", "Settings: defaults < --config YAML file < BERTH_* environment < flags."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default 127.0.0.1:5000).")
    String listen;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default ./berth-data).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--htpasswd", paramLabel = "FILE", description = "Turns on authorization: the users of this "
            + "htpasswd file (bcrypt, htpasswd -B) may pull, push and delete; anonymous requests get 401. "
            + "Policies, robots and TLS are set in the configuration file.")
    Path htpasswd;

    @Option(names = "--webhook", paramLabel = "URL",
            description = "Send every event to URL in CNCF Distribution's notification format (adds an endpoint named webhook).")
    String webhook;

    @Override
    public Integer call() throws InterruptedException {
        BerthConfig settings;
        try {
            settings = ConfigLoader.load(new ConfigLoader.Flags(Optional.ofNullable(listen), Optional.ofNullable(data),
                    Optional.ofNullable(config), Optional.ofNullable(htpasswd)), System.getenv());
            if (webhook != null) {
                settings = settings.withEvents(settings.events().withEndpoint(EndpointConfig.webhook(URI.create(webhook))));
            }
        } catch (ConfigException e) {
            System.err.println("berth: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("berth: --webhook: " + e.getMessage());
            return 2;
        }
        LogLevels.apply(settings.log());
        BerthServer server;
        try {
            SqliteLibrary.keepNextToJar(settings.database());
            server = BerthServer.start(settings);
        } catch (ConfigException e) {
            System.err.println("berth: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "berth-shutdown"));
        stopped.await();
        return 0;
    }
}
