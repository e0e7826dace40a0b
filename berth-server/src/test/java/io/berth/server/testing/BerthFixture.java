package io.berth.server.testing;

import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.log.LogConfig;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Berth in-process on a free loopback port with the embedded default (filesystem + SQLite) under a temp dir. */
public final class BerthFixture implements RegistryFixture {
    private final BerthServer server;

    private BerthFixture(BerthServer server) {
        this.server = server;
    }

    public static BerthFixture start(Path dataDir) {
        return start(dataDir, UnaryOperator.identity());
    }

    public static BerthFixture start(Path dataDir, UnaryOperator<BerthConfig> customize) {
        return start(dataDir, customize, java.time.Clock.systemUTC(), UnaryOperator.identity());
    }

    /** With {@code clock} as the server's clock (a {@link MovableClock} ages content without sleeping). */
    public static BerthFixture start(Path dataDir, UnaryOperator<BerthConfig> customize, java.time.Clock clock) {
        return start(dataDir, customize, clock, UnaryOperator.identity());
    }

    /** With the registry's blob store seen through {@code storage} (see {@link FaultyBlobStore}). */
    public static BerthFixture start(Path dataDir, UnaryOperator<BerthConfig> customize,
                                     UnaryOperator<io.berth.server.blob.BlobStore> storage) {
        return start(dataDir, customize, java.time.Clock.systemUTC(), storage);
    }

    private static BerthFixture start(Path dataDir, UnaryOperator<BerthConfig> customize, java.time.Clock clock,
                                      UnaryOperator<io.berth.server.blob.BlobStore> storage) {
        // Without the access log, which is on by default: the suite's thousands of requests would bury its output.
        // The tests of the access log turn it on.
        BerthConfig config = customize.apply(BerthConfig.defaults(dataDir).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false)));
        return new BerthFixture(BerthServer.start(config, clock, storage));
    }

    @Override
    public String hostPort() {
        return "127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    /** The server's route table. */
    public java.util.List<io.berth.server.http.Route> routes() {
        return server.routes();
    }

    @Override
    public boolean isBerth() {
        return true;
    }

    @Override
    public void close() {
        server.close();
    }
}
