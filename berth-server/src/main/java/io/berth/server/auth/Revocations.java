package io.berth.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.startup.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.berth.server.meta.RevocationRecords;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-out subjects: for each, the instant before which its tokens (access and refresh, Berth's own) are refused.
 * Kept in memory and in a small JSON file ({@code <data>/token-revocations.json}, {@code {"alice": 1767225601}} in
 * epoch seconds), written whole on each revocation and read at start, so that a restart does not revive revoked
 * tokens. An entry is dropped once every token it could refuse has expired ({@code keep}: the longest token life
 * plus the verifier's leeway).
 *
 * <p>Where nodes share a database, the revocations are its ({@link RevocationRecords}): a sign-out on one node is
 * written there, and every node's copy in memory is read again on its signal ({@link #reload}), within a second.
 *
 * <p>Tokens carry their issue time in whole seconds, so a revocation refuses tokens issued before the <em>next</em>
 * whole second, and tokens issued for the subject in the rest of that second are dated at that second
 * ({@link #earliestIssue}): none issued before the revocation survives it, every one issued after works.
 */
final class Revocations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Optional<RevocationRecords> shared;
    private final Duration keep;
    private final Clock clock;
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();

    private Revocations(Path file, Duration keep, Clock clock) {
        this(file, Optional.empty(), keep, clock);
    }

    private Revocations(Path file, Optional<RevocationRecords> shared, Duration keep, Clock clock) {
        this.shared = shared;
        this.file = file;
        this.keep = keep;
        this.clock = clock;
    }

    /** Revocations kept in memory only (tests; a restart forgets them). */
    static Revocations inMemory(Duration keep, Clock clock) {
        return new Revocations(null, keep, clock);
    }

    /** Reads the file when there is one; one that cannot be read stops the start (failing open would revive tokens). */
    static Revocations load(Path file, Duration keep, Clock clock) {
        Revocations revocations = new Revocations(file, keep, clock);
        if (Files.exists(file)) {
            try {
                JsonNode entries = JSON.readTree(file.toFile());
                for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    revocations.notBefore.put(entry.getKey(), Instant.ofEpochSecond(entry.getValue().asLong()));
                }
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(List.of(file + ": not a token revocation file: " + e.getMessage()));
            }
        }
        return revocations;
    }

    /**
     * The revocations of the database, with those of {@code legacyFile} (kept by releases before the database held
     * them) copied in once.
     */
    static Revocations shared(RevocationRecords records, Path legacyFile, Duration keep, Clock clock) {
        if (Files.exists(legacyFile)) {
            Revocations old = load(legacyFile, keep, clock);
            long drop = clock.instant().minus(keep).getEpochSecond();
            old.notBefore.forEach((subject, from) -> records.revoke(subject, from.getEpochSecond(), drop));
            try {
                Files.move(legacyFile, legacyFile.resolveSibling(legacyFile.getFileName() + ".imported"),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rename " + legacyFile + " after copying it into the database", e);
            }
        }
        Revocations revocations = new Revocations(null, Optional.of(records), keep, clock);
        revocations.reload();
        return revocations;
    }

    /** Blocking: reads the shared revocations again (another node revoked a subject's tokens). */
    void reload() {
        shared.ifPresent(records -> {
            Map<String, Long> all = records.all();
            all.forEach((subject, second) -> notBefore.merge(subject, Instant.ofEpochSecond(second),
                    (a, b) -> a.isAfter(b) ? a : b));
            notBefore.keySet().retainAll(all.keySet());
        });
    }

    /** Refuses every token of {@code subject} issued until now; returns the instant tokens must be issued from. */
    synchronized Instant revoke(String subject) {
        Instant now = clock.instant();
        Instant from = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        notBefore.merge(subject, from, (a, b) -> a.isAfter(b) ? a : b);
        notBefore.values().removeIf(instant -> instant.plus(keep).isBefore(now));
        shared.ifPresent(records -> records.revoke(subject, from.getEpochSecond(), now.minus(keep).getEpochSecond()));
        save();
        return from;
    }

    /** Whether a token of {@code subject} issued at {@code issuedAt} (null when it does not say) is revoked. */
    boolean revoked(String subject, Instant issuedAt) {
        Instant from = notBefore.get(subject);
        return from != null && (issuedAt == null || issuedAt.isBefore(from));
    }

    /** When a token issued now for {@code subject} is dated: now, or the end of a revocation made this second. */
    Instant earliestIssue(String subject, Instant now) {
        Instant from = notBefore.get(subject);
        return from != null && from.isAfter(now) ? from : now;
    }

    private void save() {
        if (file == null) {
            return;
        }
        ObjectNode entries = JSON.createObjectNode();
        notBefore.forEach((subject, instant) -> entries.put(subject, instant.getEpochSecond()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, JSON.writeValueAsBytes(entries));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
