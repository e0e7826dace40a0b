package io.berth.server.blob;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver contract on S3: s3proxy in this JVM over a temporary folder; each test has a key prefix of its own, which
 * every node ({@link #newStore}) of the test shares.
 */
class S3BlobStoreContractTest extends BlobStoreContract {
    @TempDir
    static Path directory;
    static S3ProxyServer s3;
    private String prefix;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.inProcess(directory);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
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
