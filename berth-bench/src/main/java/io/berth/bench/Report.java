package io.berth.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Every figure of every round, and the tables (stdout, Markdown) and JSON made from them. */
final class Report {
    static final List<String> SERVERS = List.of("Distribution", "Berth");

    /**
     * A figure of the table. {@code berthOnly}: Distribution has no counterpart (Berth's listing API), so its cell and
     * the ratio are "n/a" by design, not for want of a measurement.
     */
    record Figure(String id, String label, String unit, boolean higherBetter, boolean berthOnly) {
        Figure(String id, String label, String unit, boolean higherBetter) {
            this(id, label, unit, higherBetter, false);
        }
    }

    static final String BERTH_ONLY_NOTE = "\"n/a (Berth only)\": Distribution has no such API (Berth's listing API under /api/v1/), "
            + "so there is nothing to compare.";

    final Map<String, Figure> figures = new LinkedHashMap<>();
    /** figure → server → round → value. */
    final Map<String, Map<String, Map<Integer, Double>>> values = new LinkedHashMap<>();
    /** figure → server → true when some round of it saw failures. */
    final Map<String, Map<String, Boolean>> suspect = new LinkedHashMap<>();
    /** phase → server → round → {cpu seconds, peak RSS MiB, wall seconds}. */
    final Map<String, Map<String, Map<Integer, double[]>>> phases = new LinkedHashMap<>();
    /** server → "round N phase: what → status" → count. */
    final Map<String, Map<String, Long>> failures = new TreeMap<>();
    final List<String> notes = new ArrayList<>();
    final Map<String, Object> meta = new LinkedHashMap<>();
    Machine machine;
    /** Set when the run measured a curve ({@link Curves#any}). */
    Curves curves;

    synchronized void add(Figure f, String server, int round, double value, boolean bad) {
        figures.putIfAbsent(f.id(), f);
        values.computeIfAbsent(f.id(), k -> new LinkedHashMap<>()).computeIfAbsent(server, k -> new TreeMap<>()).put(round, value);
        if (bad) {
            suspect.computeIfAbsent(f.id(), k -> new ConcurrentHashMap<>()).put(server, true);
        }
    }

    synchronized void markSuspect(String figureId, String server) {
        suspect.computeIfAbsent(figureId, k -> new ConcurrentHashMap<>()).put(server, true);
    }

    synchronized void phase(String phase, String server, int round, double cpu, double peakRss, double wall) {
        phases.computeIfAbsent(phase, k -> new LinkedHashMap<>()).computeIfAbsent(server, k -> new TreeMap<>())
                .put(round, new double[] {cpu, peakRss, wall});
    }

    synchronized void failures(String server, int round, Map<String, Long> tally) {
        tally.forEach((k, v) -> failures.computeIfAbsent(server, s -> new TreeMap<>()).merge("round " + round + " " + k, v, Long::sum));
    }

    synchronized void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    static double median(Map<Integer, Double> rounds) {
        if (rounds == null) {
            return Double.NaN;
        }
        double[] v = rounds.values().stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    double median(String figure, String server) {
        return median(values.getOrDefault(figure, Map.of()).get(server));
    }

    /** How many times better Berth is than Distribution (> 1: Berth better), whatever the figure's direction. */
    double ratio(String figure) {
        double d = median(figure, "Distribution");
        double b = median(figure, "Berth");
        if (Double.isNaN(d) || Double.isNaN(b) || d <= 0 || b <= 0) {
            return Double.NaN;
        }
        return figures.get(figure).higherBetter() ? b / d : d / b;
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 10_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private String cell(String figure, String server) {
        if (server.equals("Distribution") && figures.get(figure).berthOnly()) {
            return "n/a (Berth only)";
        }
        String v = num(median(figure, server));
        return suspect.getOrDefault(figure, Map.of()).getOrDefault(server, false) ? v + " !" : v;
    }

    private static String ratioText(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
    }

    /** The main table, for a terminal. */
    String text() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"figure", "unit", "better", "Distribution", "Berth", "Berth better by"});
        for (Figure f : figures.values()) {
            rows.add(new String[] {f.label(), f.unit(), f.higherBetter() ? "higher" : "lower", cell(f.id(), "Distribution"),
                    cell(f.id(), "Berth"), ratioText(ratio(f.id()))});
        }
        StringBuilder s = new StringBuilder(columns(rows, new boolean[] {false, false, false, true, true, true}));
        s.append("Medians over rounds. \"Berth better by\" > 1 means Berth is better (for 'lower' figures it is Distribution / Berth).\n");
        s.append("\"!\" marks a value measured while unexpected answers were seen (listed below).\n");
        if (anyBerthOnly()) {
            s.append(BERTH_ONLY_NOTE).append('\n');
        }
        s.append('\n');
        rows = new ArrayList<>();
        rows.add(new String[] {"phase", "Distribution CPU s", "Berth CPU s", "Distribution peak RSS MiB", "Berth peak RSS MiB"});
        for (var e : phases.entrySet()) {
            rows.add(new String[] {e.getKey(), num(resource(e.getValue().get("Distribution"), 0)), num(resource(e.getValue().get("Berth"), 0)),
                    num(resource(e.getValue().get("Distribution"), 1)), num(resource(e.getValue().get("Berth"), 1))});
        }
        s.append(columns(rows, new boolean[] {false, true, true, true, true}));
        s.append("Server CPU = utime + stime during the phase; peak RSS = VmHWM reset at the phase's start (medians over rounds).\n");
        s.append(failureText());
        return s.toString();
    }

    String failureText() {
        StringBuilder s = new StringBuilder();
        for (String server : SERVERS) {
            Map<String, Long> f = failures.getOrDefault(server, Map.of());
            s.append("\nUnexpected answers, ").append(server).append(": ").append(f.isEmpty() ? "none" : "").append('\n');
            f.forEach((k, v) -> s.append("  ").append(v).append(" × ").append(k).append('\n'));
        }
        if (!notes.isEmpty()) {
            s.append("\nNotes:\n");
            notes.forEach(n -> s.append("  - ").append(n).append('\n'));
        }
        return s.toString();
    }

    static double resource(Map<Integer, double[]> rounds, int index) {
        if (rounds == null) {
            return Double.NaN;
        }
        Map<Integer, Double> m = new TreeMap<>();
        rounds.forEach((r, v) -> m.put(r, v[index]));
        return median(m);
    }

    static String columns(List<String[]> rows, boolean[] right) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                s.append(i == 0 ? "" : "  ").append(right[i] ? pad + r[i] : r[i] + pad);
            }
            s.append('\n');
            if (n == 0) {
                int total = Arrays.stream(width).sum() + 2 * (width.length - 1);
                s.append("-".repeat(total)).append('\n');
            }
        }
        return s.toString();
    }

    String markdown(int rounds) {
        StringBuilder s = new StringBuilder("# Berth vs Distribution benchmark\n\n");
        meta.forEach((k, v) -> s.append("- **").append(k).append("**: ").append(v).append('\n'));
        if (machine != null && !machine.figures.isEmpty()) {
            s.append("\n## The machine's limits\n\n| measure | value | unit |\n|---|--:|---|\n");
            machine.figures.forEach((k, v) -> s.append("| ").append(k).append(" | ").append(num((Double) v[0])).append(" | ")
                    .append(v[1]).append(" |\n"));
            machine.notes.forEach((k, v) -> s.append("\n- ").append(k).append(": ").append(v));
            s.append('\n');
        }
        s.append("\n## Results (medians over ").append(rounds).append(rounds == 1 ? " round" : " rounds")
                .append(")\n\n\"Berth better by\" > 1 means Berth is better; for lower-is-better figures it is Distribution ÷ Berth. "
                        + "\"!\" marks a value measured while unexpected answers were seen."
                        + (anyBerthOnly() ? " " + BERTH_ONLY_NOTE : "") + "\n\n")
                .append("| figure | unit | better | Distribution | Berth | Berth better by |\n|---|---|---|--:|--:|--:|\n");
        for (Figure f : figures.values()) {
            s.append("| ").append(f.label()).append(" | ").append(f.unit()).append(" | ").append(f.higherBetter() ? "higher" : "lower")
                    .append(" | ").append(cell(f.id(), "Distribution")).append(" | ").append(cell(f.id(), "Berth")).append(" | ")
                    .append(ratioText(ratio(f.id()))).append(" |\n");
        }
        s.append("\n## Every round\n\n| figure |");
        for (String server : SERVERS) {
            for (int r = 1; r <= rounds; r++) {
                s.append(' ').append(server).append(" r").append(r).append(" |");
            }
        }
        s.append("\n|---|").append("--:|".repeat(2 * rounds)).append('\n');
        for (Figure f : figures.values()) {
            s.append("| ").append(f.label()).append(" (").append(f.unit()).append(") |");
            for (String server : SERVERS) {
                Map<Integer, Double> v = values.getOrDefault(f.id(), Map.of()).getOrDefault(server, Map.of());
                for (int r = 1; r <= rounds; r++) {
                    s.append(' ').append(num(v.getOrDefault(r, Double.NaN))).append(" |");
                }
            }
            s.append('\n');
        }
        s.append("\n## Server resources per phase\n\nCPU = utime + stime of the server process during the phase; peak RSS = VmHWM, "
                + "reset at the start of each phase (start-up: since spawn). Medians over rounds.\n\n"
                + "| phase | Distribution CPU s | Berth CPU s | Distribution peak RSS MiB | Berth peak RSS MiB | Distribution wall s | Berth wall s |\n"
                + "|---|--:|--:|--:|--:|--:|--:|\n");
        for (var e : phases.entrySet()) {
            Map<Integer, double[]> d = e.getValue().get("Distribution");
            Map<Integer, double[]> b = e.getValue().get("Berth");
            s.append("| ").append(e.getKey()).append(" | ").append(num(resource(d, 0))).append(" | ").append(num(resource(b, 0)))
                    .append(" | ").append(num(resource(d, 1))).append(" | ").append(num(resource(b, 1))).append(" | ")
                    .append(num(resource(d, 2))).append(" | ").append(num(resource(b, 2))).append(" |\n");
        }
        if (curves != null) {
            s.append(curves.markdown());
        }
        s.append("\n## Unexpected answers and notes\n\n```").append(failureText()).append("```\n");
        return s.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("meta", meta);
        if (machine != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            machine.figures.forEach((k, v) -> {
                Map<String, Object> figure = new LinkedHashMap<>(); // the value is null for a limit not measured here (NaN)
                figure.put("value", finite((Double) v[0]));
                figure.put("unit", v[1]);
                m.put(k, figure);
            });
            root.put("machine", m);
            root.put("machineNotes", machine.notes);
        }
        List<Object> figs = new ArrayList<>();
        for (Figure f : figures.values()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", f.id());
            o.put("label", f.label());
            o.put("unit", f.unit());
            o.put("better", f.higherBetter() ? "higher" : "lower");
            o.put("berthOnly", f.berthOnly());
            for (String server : SERVERS) {
                Map<String, Object> sv = new LinkedHashMap<>();
                Map<Integer, Double> rounds = values.getOrDefault(f.id(), Map.of()).getOrDefault(server, Map.of());
                sv.put("rounds", rounds.values().stream().map(Report::finite).toList());
                sv.put("median", finite(median(f.id(), server)));
                sv.put("suspect", suspect.getOrDefault(f.id(), Map.of()).getOrDefault(server, false));
                o.put(server.toLowerCase(Locale.ROOT), sv);
            }
            o.put("berthBetterBy", finite(ratio(f.id())));
            figs.add(o);
        }
        root.put("figures", figs);
        List<Object> ph = new ArrayList<>();
        phases.forEach((phase, byServer) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("phase", phase);
            byServer.forEach((server, rounds) -> {
                Map<String, Object> sv = new LinkedHashMap<>();
                sv.put("cpuSeconds", rounds.values().stream().map(v -> finite(v[0])).toList());
                sv.put("peakRssMiB", rounds.values().stream().map(v -> finite(v[1])).toList());
                sv.put("wallSeconds", rounds.values().stream().map(v -> finite(v[2])).toList());
                o.put(server.toLowerCase(Locale.ROOT), sv);
            });
            ph.add(o);
        });
        root.put("phases", ph);
        if (curves != null) {
            root.put("curves", curves.json());
        }
        root.put("failures", failures);
        root.put("notes", notes);
        return root;
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    void write(Path dir, int rounds) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown(rounds), StandardCharsets.UTF_8);
        Registry.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json());
        if (curves != null) {
            Files.writeString(dir.resolve("curves.svg"), curves.svg(), StandardCharsets.UTF_8);
        }
    }

    boolean anyBerthOnly() {
        return figures.values().stream().anyMatch(Figure::berthOnly);
    }

    boolean anyFailure() {
        return failures.values().stream().anyMatch(m -> !m.isEmpty());
    }
}
