package io.berth.server.blob;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code uploads} section: how long an upload session may sit untouched before it expires.
 *
 * <pre>
 * uploads:
 *   expireAfter: 24h     # BERTH_UPLOADS_EXPIRE_AFTER; 15m, 24h, 3600s …
 * </pre>
 *
 * @param expireAfter a session no request touched (PATCH, PUT, GET of its status) for this long is ended and its
 *                    bytes removed; an upload file without a session goes once it is this old. A day (CNCF
 *                    Distribution purges after a week) keeps the disk from filling with the leftovers of
 *                    interrupted pushes while a client that pauses between chunks still has hours to resume.
 */
public record UploadsConfig(Duration expireAfter) {
    public static final Duration SHORTEST = Duration.ofSeconds(1);
    public static final UploadsConfig DEFAULT = new UploadsConfig(Duration.ofHours(24));
    /** The sweep runs at most this often apart, so that expiry is late by at most this much. */
    private static final Duration LONGEST_SWEEP_PERIOD = Duration.ofMinutes(10);
    /** A session's row is written at most this often while requests keep touching it. */
    private static final Duration LONGEST_TOUCH_PERIOD = Duration.ofMinutes(1);
    private static final Duration ORPHAN_AFTER = Duration.ofMinutes(1);

    public UploadsConfig {
        expireAfter = expireAfter == null ? DEFAULT.expireAfter() : expireAfter;
    }

    /** What is wrong with this section, each problem naming its key; the configuration refuses to start with any. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (expireAfter.compareTo(SHORTEST) < 0) {
            problems.add("uploads.expireAfter must be at least 1s (sessions untouched this long are removed with their"
                    + " bytes), was " + expireAfter.toMillis() + "ms");
        }
        return problems;
    }

    /** How often the expiry sweeps: a quarter of the expiry, at most every ten minutes. */
    public Duration sweepPeriod() {
        Duration quarter = expireAfter.dividedBy(4);
        return quarter.compareTo(LONGEST_SWEEP_PERIOD) > 0 ? LONGEST_SWEEP_PERIOD : quarter;
    }

    /**
     * How old an upload file without a session must be before the expiry removes it: a minute (or the expiry, when
     * shorter). A session's row is written right after its file, so a minute-old file without a row is one whose start
     * or finish failed, or a crash's leftover; it need not wait a whole expiry.
     */
    public Duration orphanAfter() {
        return expireAfter.compareTo(ORPHAN_AFTER) < 0 ? expireAfter : ORPHAN_AFTER;
    }

    /**
     * How stale a session's {@code touched_at} may get before a request writes it again: a tenth of the expiry, at
     * most a minute. Chunked pushes make one PATCH per chunk; writing the row once a minute instead of per chunk keeps
     * the single SQLite writer free, and a session touched this recently is far from expiring.
     */
    public Duration touchPeriod() {
        Duration tenth = expireAfter.dividedBy(10);
        return tenth.compareTo(LONGEST_TOUCH_PERIOD) > 0 ? LONGEST_TOUCH_PERIOD : tenth;
    }
}
