package io.berth.server.blob;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver contract on S3 served by s3proxy as a separate process (its jar-with-dependencies, started by
 * {@code bin/s3proxy-start} as {@code bin/berth-cluster} starts it): the driver talks to another JVM over the network.
 */
class S3ProcessBlobStoreContractTest extends BlobStoreContract {
    @TempDir
    static Path directory;
    static S3ProxyServer s3;
    private String prefix;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.asProcess(directory);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void freshPrefix() {
        prefix = "contract-" + UUID.randomUUID() + "/";
    }

    @Override
    protected BlobStore newStore(Vertx vertx) {
        return S3BlobStore.open(s3.config().withPrefix(prefix), vertx);
    }
}
