package io.berth.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * How figures change with the load (issue #20, "curves, not points"): upload throughput at 1, 8 and 32 clients, each
 * server's median over the rounds; and, from the scale phase's stores (Berth only; 1k, 100k and 1M tags with
 * {@code --only curves}), start-up, manifest GET and blob HEAD throughput and every listing page's p99. As tables
 * (stdout, report.md, report.json) and as charts ({@code curves.svg}).
 */
final class Curves {
    static final String PHASE = "curves";
    /** The upload curve's phases, in order of clients. */
    static final List<String> UPLOADS = List.of("upload-mono-1", "upload-mono-8", Options.OPT_IN_MONO_32);

    private final Report report;
    private final List<ScaleBench.Point> scale;
    private final String database;

    Curves(Report report, List<ScaleBench.Point> scale, String database) {
        this.report = report;
        this.scale = scale;
        this.database = database;
    }

    /** Whether there is a curve to show: two points or more of either kind. */
    boolean any() {
        return uploadCurve() || scaleCurve();
    }

    private boolean uploadCurve() {
        return uploads().size() >= 2;
    }

    private boolean scaleCurve() {
        return scale.size() >= 2;
    }

    /** 1k, 100k, 1M, 3k, 2,500. */
    static String count(int n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        return n >= 1_000 && n % 1_000 == 0 ? n / 1_000 + "k" : String.format(Locale.ROOT, "%,d", n);
    }

    /** The upload figures measured, in order of clients. */
    private List<String> uploads() {
        return UPLOADS.stream().filter(report.values::containsKey).toList();
    }

    private static int clients(String uploadFigure) {
        return Integer.parseInt(uploadFigure.substring(uploadFigure.lastIndexOf('-') + 1));
    }

    private List<String[]> uploadRows() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"clients", "Distribution MiB/s", "Berth MiB/s", "Berth better by"});
        for (String id : uploads()) {
            double r = report.ratio(id);
            String ratio = Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
            rows.add(new String[] {String.valueOf(clients(id)), Report.num(report.median(id, "Distribution")),
                Report.num(report.median(id, "Berth")), ratio});
        }
        return rows;
    }

    private List<String[]> scaleRows() {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("tags"));
        scale.forEach(p -> header.add(count(p.tags())));
        header.add(count(last().tags()) + " ÷ " + count(scale.get(0).tags()));
        rows.add(header.toArray(String[]::new));
        rows.add(scaleRow("start-up to first 200 on /v2/, ms", ScaleBench.Point::startupMillis));
        rows.add(scaleRow("manifest GET by tag, req/s", ScaleBench.Point::manifestGetPerSecond));
        rows.add(scaleRow("blob HEAD, req/s", ScaleBench.Point::blobHeadPerSecond));
        for (String page : last().pageP99Ms().keySet()) {
            rows.add(scaleRow("p99 " + page + ", ms", p -> p.pageP99Ms().getOrDefault(page, Double.NaN)));
        }
        return rows;
    }

    private String[] scaleRow(String label, ToDoubleFunction<ScaleBench.Point> value) {
        List<String> row = new ArrayList<>(List.of(label));
        scale.forEach(p -> row.add(Report.num(value.applyAsDouble(p))));
        double first = value.applyAsDouble(scale.get(0));
        row.add(String.format(Locale.ROOT, "%.2f", value.applyAsDouble(last()) / first));
        return row.toArray(String[]::new);
    }

    private ScaleBench.Point last() {
        return scale.get(scale.size() - 1);
    }

    private String scaleTitle() {
        return "Berth at " + String.join(", ", scale.stream().map(p -> count(p.tags())).toList()) + " tags (" + database
                + "; 8 connections, wrk)";
    }

    String text() {
        StringBuilder s = new StringBuilder("Curves (also in curves.svg):\n");
        if (uploadCurve()) {
            s.append("\nUpload of a big blob per client, monolithic, aggregate (medians over rounds):\n")
                    .append(Report.columns(uploadRows(), new boolean[] {true, true, true, true}));
        }
        if (scaleCurve()) {
            List<String[]> rows = scaleRows();
            boolean[] right = new boolean[rows.get(0).length];
            Arrays.fill(right, 1, right.length, true);
            s.append('\n').append(scaleTitle()).append(":\n").append(Report.columns(rows, right));
        }
        return s.toString();
    }

    String markdown() {
        StringBuilder s = new StringBuilder("\n## Curves\n\n![curves](curves.svg)\n");
        if (uploadCurve()) {
            s.append("\n### Upload of a big blob per client, monolithic, aggregate (medians over rounds)\n\n")
                    .append(markdownTable(uploadRows()));
        }
        if (scaleCurve()) {
            s.append("\n### ").append(scaleTitle()).append("\n\n").append(markdownTable(scaleRows()));
        }
        return s.toString();
    }

    private static String markdownTable(List<String[]> rows) {
        StringBuilder s = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            s.append("| ").append(String.join(" | ", rows.get(n))).append(" |\n");
            if (n == 0) {
                s.append("|---|").append("--:|".repeat(rows.get(0).length - 1)).append('\n');
            }
        }
        return s.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> up = new ArrayList<>();
        for (String id : uploads()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("clients", clients(id));
            point.put("distributionMiBps", Report.finite(report.median(id, "Distribution")));
            point.put("berthMiBps", Report.finite(report.median(id, "Berth")));
            up.add(point);
        }
        m.put("uploads", up);
        m.put("scaleDatabase", database);
        m.put("scale", scale);
        return m;
    }

    String svg() {
        List<SvgChart.Panel> panels = new ArrayList<>();
        if (uploadCurve()) {
            List<String> ids = uploads();
            double[] x = ids.stream().mapToDouble(Curves::clients).toArray();
            List<SvgChart.Series> series = new ArrayList<>();
            for (String server : Report.SERVERS) {
                double[] y = ids.stream().mapToDouble(id -> report.median(id, server)).toArray();
                if (Arrays.stream(y).anyMatch(Double::isFinite)) {
                    series.add(new SvgChart.Series(server, x, y));
                }
            }
            panels.add(new SvgChart.Panel("Upload, a big blob per client", "clients", "MiB/s (aggregate)", series,
                    Double.NaN, v -> String.valueOf((int) v)));
        }
        if (scaleCurve()) {
            panels.add(tagPanel("Manifest GET and blob HEAD", "req/s", Double.NaN, List.of(
                    tagSeries("manifest GET", ScaleBench.Point::manifestGetPerSecond),
                    tagSeries("blob HEAD", ScaleBench.Point::blobHeadPerSecond))));
            List<SvgChart.Series> pages = new ArrayList<>();
            for (String page : last().pageP99Ms().keySet()) {
                pages.add(tagSeries(page, p -> p.pageP99Ms().getOrDefault(page, Double.NaN)));
            }
            panels.add(tagPanel("Listing pages, p99", "ms", ScaleBench.PAGE_P99_TARGET_MS, pages));
            panels.add(tagPanel("Start-up to the first 200 on /v2/", "ms", ScaleBench.STARTUP_TARGET_MS,
                    List.of(tagSeries("bin/berth", ScaleBench.Point::startupMillis))));
        }
        return SvgChart.render(panels);
    }

    /** A figure of the scale phase against the stores' tags. */
    private SvgChart.Series tagSeries(String name, ToDoubleFunction<ScaleBench.Point> value) {
        return new SvgChart.Series(name, scale.stream().mapToDouble(ScaleBench.Point::tags).toArray(),
                scale.stream().mapToDouble(value).toArray());
    }

    private SvgChart.Panel tagPanel(String title, String unit, double target, List<SvgChart.Series> series) {
        return new SvgChart.Panel(title + " (" + database + ")", "tags in the registry", unit, series, target,
                v -> count((int) v));
    }
}
