package io.berth.server.blob;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The driver contract on the local file system; every store of a test shares one root, as nodes on one machine would. */
class FilesystemBlobStoreContractTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore newStore(Vertx vertx) {
        return new FilesystemBlobStore(vertx, root);
    }
}
