package io.berth.server.retention;

import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.startup.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Retention policies and when they run.
 *
 * @param interval how often the policies run on their own ({@code retention.interval},
 *                 {@code BERTH_RETENTION_INTERVAL}); zero: only on request
 * @param policies the {@code retention.policies}, in order: a deletion is reported under the first policy that
 *                 selects it
 */
public record RetentionConfig(Duration interval, List<RetentionPolicy> policies) {
    public static final RetentionConfig NONE = new RetentionConfig(Duration.ofHours(1), List.of());
    /** The coarsest a pull time is recorded: an hour, or finer when a rule looks at pulls over a shorter time. */
    private static final Duration MAX_PULL_PRECISION = Duration.ofHours(1);
    private static final Duration MIN_PULL_PRECISION = Duration.ofSeconds(1);
    /** How many times per the shortest pull duration of any rule a manifest's pull time may be written. */
    private static final int PULL_WRITES_PER_PERIOD = 8;

    public RetentionConfig {
        if (interval == null || interval.isNegative()) {
            throw new ConfigException(List.of("retention.interval must be a duration of 0s or more"));
        }
        policies = List.copyOf(policies);
    }

    public boolean scheduled() {
        return !interval.isZero() && !policies.isEmpty();
    }

    /**
     * One line per type id a policy names that {@code catalog} does not know, naming the key. Checked when the
     * registry starts, with the catalog of its types directory; a type removed from the catalog later only makes the
     * rules that name it select nothing of it.
     */
    public List<String> unknownTypes(TypeCatalog catalog) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < policies.size(); i++) {
            RetentionPolicy policy = policies.get(i);
            for (String id : policy.typeIds()) {
                if (catalog.type(id).isEmpty()) {
                    problems.add("retention.policies[" + i + "] (" + policy.name() + "): unknown type id '" + id
                            + "' (the type catalog's ids: " + String.join(", ",
                            catalog.types().stream().map(ArtifactType::id).toList()) + ")");
                }
            }
        }
        return problems;
    }

    /**
     * How fresh a recorded pull time must be before a pull writes it again: an eighth of the shortest
     * {@code notPulledFor}/{@code pulledWithin} of any rule, at most an hour, at least a second. So a rule on pulls
     * errs by at most that much, and a manifest pulled a thousand times a second costs a write at most that often.
     */
    public Duration pullTimePrecision() {
        Optional<Duration> shortest = policies.stream()
                .flatMap(p -> Stream.concat(p.delete().stream().flatMap(r -> r.notPulledFor().stream()),
                        p.keep().stream().flatMap(r -> r.pulledWithin().stream())))
                .min(Duration::compareTo);
        Duration precision = shortest.map(d -> d.dividedBy(PULL_WRITES_PER_PERIOD)).orElse(MAX_PULL_PRECISION);
        return precision.compareTo(MAX_PULL_PRECISION) > 0 ? MAX_PULL_PRECISION
                : precision.compareTo(MIN_PULL_PRECISION) < 0 ? MIN_PULL_PRECISION : precision;
    }
}
