package io.berth.server.blob;

import io.berth.oci.Digest;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the S3 driver keeps what, under the configured prefix:
 * <pre>
 * prefix/
 * ├── blobs/sha256/ab/ab12…ef             a committed blob, named by digest; x-amz-meta-berth-version: its version
 * ├── uploads/7c0e…-…/state               an upload's state: its parts (number, ETag, size) and tail size
 * ├── uploads/7c0e…-…/part-00001          its full parts, 5 MiB or more each, assembled at commit
 * ├── uploads/7c0e…-…/tail                the bytes after the last full part (below the part size), spooled
 * ├── uploads/.write-check                written and removed by the readiness check
 * └── quarantine/sha256/ab12…ef.1733540000000   bytes that did not hash to their digest, never served
 * </pre>
 */
final class S3Keys {
    private static final String BLOBS = "blobs/";
    private static final String UPLOADS = "uploads/";
    private final String prefix;

    S3Keys(String prefix) {
        this.prefix = prefix;
    }

    String blob(Digest digest) {
        return prefix + BLOBS + digest.algorithm().id() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    String blobs() {
        return prefix + BLOBS;
    }

    String uploads() {
        return prefix + UPLOADS;
    }

    String state(UUID upload) {
        return prefix + UPLOADS + upload + "/state";
    }

    String part(UUID upload, int number) {
        return prefix + UPLOADS + upload + String.format("/part-%05d", number);
    }

    String tail(UUID upload) {
        return prefix + UPLOADS + upload + "/tail";
    }

    String writeCheck() {
        return prefix + UPLOADS + ".write-check";
    }

    String quarantine(Digest digest, long millis) {
        return prefix + "quarantine/" + digest.algorithm().id() + "/" + digest.hex() + "." + millis;
    }

    /** The digest a listed key under {@link #blobs()} names; empty for anything else (not Berth's). */
    Optional<Digest> blobDigest(String key) {
        if (!key.startsWith(prefix + BLOBS)) {
            return Optional.empty();
        }
        String[] parts = key.substring(prefix.length() + BLOBS.length()).split("/");
        if (parts.length != 3 || !parts[2].startsWith(parts[1]) || parts[1].length() != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(parts[0] + ":" + parts[2]));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The upload whose state a listed key is; empty for any other key. */
    Optional<UUID> stateUpload(String key) {
        if (!key.startsWith(prefix + UPLOADS) || !key.endsWith("/state")) {
            return Optional.empty();
        }
        String name = key.substring(prefix.length() + UPLOADS.length(), key.length() - "/state".length());
        try {
            UUID id = UUID.fromString(name);
            return id.toString().equals(name) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
