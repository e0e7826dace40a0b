package io.berth.client.artifact;

import io.berth.oci.Descriptor;

/**
 * Hears about blob transfers, for progress bars. Called from several threads at once (transfers run in parallel).
 */
public interface TransferListener {
    /** What became of a blob. */
    enum Outcome { UPLOADED, DOWNLOADED, COPIED, MOUNTED, SKIPPED }

    TransferListener NONE = new TransferListener() {
    };

    /** A transfer starts; {@code label} is a file name or a short digest. */
    default void started(Descriptor blob, String label) {
    }

    /** {@code bytes} more bytes of {@code blob} went through. */
    default void progressed(Descriptor blob, long bytes) {
    }

    default void finished(Descriptor blob, Outcome outcome) {
    }
}
