package io.berth.server.blob;

import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * The {@code storage.driver} setting: where blob bytes live. {@code filesystem} (the default) keeps them under the
 * data directory; {@code s3} in a bucket of any S3-compatible object store ({@link S3Config}), which is what several
 * nodes behind a load balancer share.
 */
public sealed interface StorageDriverConfig permits StorageDriverConfig.Filesystem, S3Config {

    /** Blobs under the data directory (see {@link FilesystemBlobStore}). */
    record Filesystem() implements StorageDriverConfig {
    }

    StorageDriverConfig FILESYSTEM = new Filesystem();

    /** The blob store this setting names: under {@code dataDir}, or the S3 driver with its parts on {@code vertx}'s workers. */
    default BlobStore open(Path dataDir, Vertx vertx) {
        return this instanceof S3Config s3 ? S3BlobStore.open(s3, vertx) : new FilesystemBlobStore(vertx, dataDir);
    }

    /** The name as {@code storage.driver} spells it, for logs and metrics' {@code driver} tag. */
    default String name() {
        return this instanceof S3Config ? "s3" : "filesystem";
    }
}
