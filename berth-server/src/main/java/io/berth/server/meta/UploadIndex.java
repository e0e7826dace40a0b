package io.berth.server.meta;

import io.berth.oci.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Upload sessions, kept in the database so that they survive a restart and can be served by any node. */
public interface UploadIndex {
    /**
     * An upload session; its bytes live in blob storage under the session id.
     *
     * @param touchedAt when a request last worked on the session (start, PATCH, PUT, GET of its status); the session
     *                  expires when this is older than {@code uploads.expireAfter}
     */
    record Upload(UUID id, Repository repository, Instant startedAt, Instant touchedAt) {
        /** A session just started: touched when it started. */
        public Upload(UUID id, Repository repository, Instant startedAt) {
            this(id, repository, startedAt, startedAt);
        }
    }

    void create(Upload upload);

    Optional<Upload> upload(UUID id);

    void delete(UUID id);

    /** Records that a request worked on the session {@code at}; false when the session is gone (expired, ended). */
    boolean touch(UUID id, Instant at);

    /**
     * Ends the session if nothing touched it since {@code cutoff} (exclusive); true when it did. Conditional, so that an
     * expiry sweep never ends a session that a request touched after the sweep chose it.
     */
    boolean deleteIfUntouchedSince(UUID id, Instant cutoff);

    /** How many sessions are open now. */
    long count();

    /** Sessions last touched before {@code cutoff}, least recently touched first, at most {@code limit}: candidates for expiry. */
    List<UUID> untouchedSince(Instant cutoff, int limit);
}
