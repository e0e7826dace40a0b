package io.berth.server.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scrape of {@code /metrics}, parsed from the Prometheus text format: series by name and labels. */
record Scraped(String text, List<Series> series) {
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One sample line. */
    record Series(String name, Map<String, String> labels, double value) {
        boolean has(Map<String, String> wanted) {
            return labels.entrySet().containsAll(wanted.entrySet());
        }
    }

    static Scraped parse(String text) {
        List<Series> series = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            series.add(new Series(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scraped(text, series);
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        series.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The sum over the series of {@code name} that carry these labels (name/value pairs); 0 when there are none. */
    double value(String name, String... labels) {
        Map<String, String> wanted = pairs(labels);
        return series.stream().filter(s -> s.name().equals(name) && s.has(wanted)).mapToDouble(Series::value).sum();
    }

    /** Whether a series of {@code name} with these labels exists. */
    boolean has(String name, String... labels) {
        Map<String, String> wanted = pairs(labels);
        return series.stream().anyMatch(s -> s.name().equals(name) && s.has(wanted));
    }

    private static Map<String, String> pairs(String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return wanted;
    }
}
