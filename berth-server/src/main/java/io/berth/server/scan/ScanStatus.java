package io.berth.server.scan;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where an artifact stands with the scanners, as the listing shows it. An artifact that no configured scanner accepts
 * is {@code not-scannable} — never "clean"; one a scanner accepts but that was never queued (it was pushed before the
 * scanner was configured) is {@code unscanned} until scanned on demand.
 *
 * @param scanner the scanner(s), comma-separated, whose results these are
 * @param summary set when {@code done}
 * @param error   set when {@code failed}
 */
public record ScanStatus(State state, Optional<String> scanner, Optional<Summary> summary, Optional<String> error,
                         Optional<Instant> updatedAt) {

    public enum State {
        NOT_SCANNABLE, UNSCANNED, PENDING, DONE, FAILED;

        /** {@code not-scannable}, {@code unscanned}, {@code pending}, {@code done}, {@code failed}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static final ScanStatus NOT_SCANNABLE = of(State.NOT_SCANNABLE);
    public static final ScanStatus UNSCANNED = of(State.UNSCANNED);

    private static ScanStatus of(State state) {
        return new ScanStatus(state, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** One artifact seen by several scanners: their counts are views of the same contents, so the larger wins. */
    static ScanStatus ofScanners(List<ScanStatus> scans) {
        return combine(scans, Summary::max);
    }

    /** An index from its children (one per platform): their counts add up. */
    static ScanStatus ofChildren(List<ScanStatus> children) {
        return combine(children, Summary::plus);
    }

    /**
     * Any pending makes pending; else any failed makes failed (a partly scanned artifact is not reported done);
     * else any done makes done; else unscanned, or not scannable when nothing in it is.
     */
    private static ScanStatus combine(List<ScanStatus> parts, java.util.function.BinaryOperator<Summary> merge) {
        List<ScanStatus> scannable = parts.stream().filter(p -> p.state != State.NOT_SCANNABLE).toList();
        if (scannable.isEmpty()) {
            return NOT_SCANNABLE;
        }
        State state = scannable.stream().anyMatch(p -> p.state == State.PENDING) ? State.PENDING
                : scannable.stream().anyMatch(p -> p.state == State.FAILED) ? State.FAILED
                : scannable.stream().anyMatch(p -> p.state == State.DONE) ? State.DONE
                : State.UNSCANNED;
        if (state == State.UNSCANNED) {
            return UNSCANNED;
        }
        String scanners = scannable.stream().flatMap(p -> p.scanner.stream())
                .flatMap(s -> java.util.Arrays.stream(s.split(", "))).distinct().sorted().collect(Collectors.joining(", "));
        Optional<Summary> summary = state == State.DONE
                ? scannable.stream().flatMap(p -> p.summary.stream()).reduce(merge) : Optional.empty();
        Optional<String> error = state == State.FAILED
                ? scannable.stream().flatMap(p -> p.error.stream()).findFirst() : Optional.empty();
        Optional<Instant> updatedAt = scannable.stream().flatMap(p -> p.updatedAt.stream()).max(Comparator.naturalOrder());
        return new ScanStatus(state, scanners.isEmpty() ? Optional.empty() : Optional.of(scanners), summary, error, updatedAt);
    }
}
