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

    /** Creates the session already claimed by {@code holder} until {@code until} (a push in one request). */
    void createClaimed(Upload upload, String holder, Instant until);

    /** The SHA-256 state of a session after its first {@code length} bytes ({@code io.berth.server.blob.DigestState}). */
    record SavedHash(long length, byte[] state) {
    }

    /**
     * Claims the session for the request {@code holder} until {@code until}, unless another holds a claim that has
     * not lapsed at {@code now}; touches the session at {@code now}. False when it is claimed (or gone).
     */
    boolean claim(UUID id, String holder, Instant now, Instant until);

    /** Extends {@code holder}'s claim to {@code until} and touches the session; false when the claim is no longer its. */
    boolean renew(UUID id, String holder, Instant now, Instant until);

    /**
     * Ends {@code holder}'s claim, touching the session at {@code now} and saving {@code hash} when present (an append
     * that stored every byte it hashed). Does nothing when the claim is no longer the holder's.
     */
    void release(UUID id, String holder, Instant now, java.util.Optional<SavedHash> hash);

    /** The hash state saved with the session, if any. */
    Optional<SavedHash> savedHash(UUID id);

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
