package io.berth.server.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * How many vulnerabilities a report lists, by severity. The adapter API's six severities fold into five:
 * {@code Negligible} counts as low, anything unrecognised as unknown.
 */
public record Summary(long critical, long high, long medium, long low, long unknown) {
    public static final Summary NONE = new Summary(0, 0, 0, 0, 0);

    public Summary plus(Summary other) {
        return new Summary(critical + other.critical, high + other.high, medium + other.medium, low + other.low,
                unknown + other.unknown);
    }

    /** The larger count of each severity: two scanners' views of the same artifact. */
    public Summary max(Summary other) {
        return new Summary(Math.max(critical, other.critical), Math.max(high, other.high), Math.max(medium, other.medium),
                Math.max(low, other.low), Math.max(unknown, other.unknown));
    }

    /** Counts {@code vulnerabilities[].severity} of a Harbor vulnerability report (either report version). */
    static Summary of(JsonNode report) {
        long critical = 0;
        long high = 0;
        long medium = 0;
        long low = 0;
        long unknown = 0;
        for (JsonNode vulnerability : report.path("vulnerabilities")) {
            switch (vulnerability.path("severity").asText("").toLowerCase(Locale.ROOT)) {
                case "critical" -> critical++;
                case "high" -> high++;
                case "medium" -> medium++;
                case "low", "negligible" -> low++;
                default -> unknown++;
            }
        }
        return new Summary(critical, high, medium, low, unknown);
    }
}
