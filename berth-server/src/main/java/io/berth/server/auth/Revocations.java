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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-out subjects: for each, the instant before which its tokens (access and refresh, Berth's own) are refused.
 * Kept in memory and in a small JSON file ({@code <data>/token-revocations.json}, {@code {"alice": 1767225601}} in
 * epoch seconds), written whole on each revocation and read at start, so that a restart does not revive revoked
 * tokens. An entry is dropped once every token it could refuse has expired ({@code keep}: the longest token life
 * plus the verifier's leeway).
 *
 * <p>Tokens carry their issue time in whole seconds, so a revocation refuses tokens issued before the <em>next</em>
 * whole second, and tokens issued for the subject in the rest of that second are dated at that second
 * ({@link #earliestIssue}): none issued before the revocation survives it, every one issued after works.
 */
final class Revocations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Duration keep;
    private final Clock clock;
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();

    private Revocations(Path file, Duration keep, Clock clock) {
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

    /** Refuses every token of {@code subject} issued until now; returns the instant tokens must be issued from. */
    synchronized Instant revoke(String subject) {
        Instant now = clock.instant();
        Instant from = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        notBefore.merge(subject, from, (a, b) -> a.isAfter(b) ? a : b);
        notBefore.values().removeIf(instant -> instant.plus(keep).isBefore(now));
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
