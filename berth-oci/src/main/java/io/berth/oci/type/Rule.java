package io.berth.oci.type;

import io.berth.oci.Manifest;
import java.util.Comparator;
import java.util.List;

/**
 * A detection rule: all of its conditions must hold. A type has one or more rules (any of them may match). The rule
 * is tried in the {@link Match.Tier} of its strongest condition: {@code {config: oci-image-config, layer: cosign
 * simplesigning}} is a config-tier rule that is more specific than {@code {config: oci-image-config}}.
 */
public record Rule(List<Match> all) {
    public Rule {
        all = List.copyOf(all);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one condition");
        }
    }

    public static Rule of(Match... all) {
        return new Rule(List.of(all));
    }

    public Match.Tier tier() {
        return all.stream().map(Match::tier).min(Comparator.naturalOrder()).orElseThrow();
    }

    public boolean test(Manifest manifest) {
        return all.stream().allMatch(m -> m.test(manifest));
    }
}
