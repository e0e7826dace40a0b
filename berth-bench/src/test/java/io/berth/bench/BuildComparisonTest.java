package io.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BuildComparisonTest {
    @Test
    void theSignTestRanksAreTheTabulatedOnes() {
        // Tables of the sign test's 95 % confidence interval for the median: [x(k), x(n+1-k)].
        assertThat(BuildComparison.Interval.signTestRank(6)).isEqualTo(1);
        assertThat(BuildComparison.Interval.signTestRank(10)).isEqualTo(2);
        assertThat(BuildComparison.Interval.signTestRank(20)).isEqualTo(6);
        assertThat(BuildComparison.Interval.signTestRank(30)).isEqualTo(10);
        assertThat(BuildComparison.Interval.signTestRank(70)).isEqualTo(27);
    }

    @Test
    void theIntervalIsMadeOfTheRankedRatios() {
        List<Double> ratios = IntStream.rangeClosed(1, 20).mapToObj(i -> 0.9 + i / 100.0).toList(); // 0.91 … 1.10
        BuildComparison.Interval interval = BuildComparison.Interval.ofRatios(ratios.stream().sorted(java.util.Comparator.reverseOrder()).toList());
        assertThat(interval.median()).isEqualTo(1.005, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(interval.low()).isEqualTo(0.96, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(interval.high()).isEqualTo(1.05, org.assertj.core.data.Offset.offset(1e-9));
    }
}
