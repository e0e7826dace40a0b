package io.berth.server.meta;

import io.berth.oci.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Upload sessions, kept in the database so that they survive a restart and can be served by any node. */
public interface UploadIndex {
    /** An upload session; its bytes live in blob storage under the session id. */
    record Upload(UUID id, Repository repository, Instant startedAt) {
    }

    void create(Upload upload);

    Optional<Upload> upload(UUID id);

    void delete(UUID id);

    /** How many sessions are open now. */
    long count();

    /** Sessions started before {@code cutoff}, oldest first, at most {@code limit}: candidates for purging. */
    List<UUID> startedBefore(Instant cutoff, int limit);
}
