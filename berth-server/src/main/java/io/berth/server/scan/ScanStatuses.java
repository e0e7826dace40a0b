package io.berth.server.scan;

import io.berth.oci.Digest;
import io.berth.oci.Repository;

/** Looks up where an artifact stands with the scanners: what the listing API shows as {@code scan}. */
@FunctionalInterface
public interface ScanStatuses {
    /** Blocking. {@code typeId} is the artifact's catalog type, which decides whether it is scannable at all. */
    ScanStatus status(Repository repository, Digest digest, String typeId);

    /** No scanners: nothing is scannable. */
    ScanStatuses NONE = (repository, digest, typeId) -> ScanStatus.NOT_SCANNABLE;
}
