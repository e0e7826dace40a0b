package io.berth.cli;

import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.ConfigLoader;
import io.berth.server.event.EndpointConfig;
import io.berth.server.startup.Preflight;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code berth serve}: runs the registry until SIGTERM or SIGINT, then shuts down cleanly. A configuration or machine
 * it cannot start with ends in exit code 2 and one line per problem (docs/startup-errors.md lists them).
 */
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

    @Option(names = "--debug", description = "When the registry cannot start, also print what caused each problem, "
            + "with stack traces.")
    boolean debug;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        BerthConfig settings;
        try {
            // Checks the machine too (address, data directory, files, database) before anything is created on disk.
            settings = ConfigLoader.load(new ConfigLoader.Flags(Optional.ofNullable(listen), Optional.ofNullable(data),
                    Optional.ofNullable(config), Optional.ofNullable(htpasswd)), System.getenv(),
                    Optional.of(Preflight.live()));
            if (webhook != null) {
                settings = settings.withEvents(settings.events().withEndpoint(EndpointConfig.webhook(URI.create(webhook))));
            }
        } catch (ConfigException e) {
            return refused(e);
        } catch (IllegalArgumentException e) {
            return refused(new ConfigException("--webhook " + webhook + " is not a usable URL (" + e.getMessage()
                    + "); give an http:// or https:// URL", e));
        }
        LogLevels.apply(settings.log());
        BerthServer server;
        try {
            SqliteLibrary.keepNextToJar(settings.database());
            server = BerthServer.start(settings);
        } catch (ConfigException e) {
            return refused(e);
        } catch (RuntimeException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("berth: cannot start: " + Preflight.rootMessage(e)
                    + (debug ? "" : " (berth serve --debug shows the cause)"));
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.ERROR;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "berth-shutdown"));
        stopped.await();
        return 0;
    }

    /** Every problem on a line of its own; with {@code --debug}, what caused them. */
    private int refused(ConfigException e) {
        PrintWriter err = spec.commandLine().getErr();
        e.problems().forEach(problem -> err.println("berth: " + problem));
        if (debug) {
            err.println("berth: causes:");
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.CONFIGURATION;
    }
}
