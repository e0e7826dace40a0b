package io.berth.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * Line charts as one SVG file, panels side by side in rows of two: x on a logarithmic scale (clients, tags) with a
 * tick at each measured x, y linear from 0, an optional dashed target line, and a legend per panel. No library: the
 * report must open in any browser from the results folder.
 */
final class SvgChart {
    private static final int WIDTH = 520;
    private static final int HEIGHT = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 170;
    private static final int TOP = 34;
    private static final int BOTTOM = 44;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};

    /** One line: its points in x order. */
    record Series(String name, double[] x, double[] y) {
    }

    /** {@code target}: a dashed horizontal line (NaN for none). */
    record Panel(String title, String xLabel, String yLabel, List<Series> series, double target,
                 DoubleFunction<String> xTick) {
    }

    private SvgChart() {
    }

    static String render(List<Panel> panels) {
        int rows = (panels.size() + 1) / 2;
        int width = WIDTH * Math.min(2, panels.size());
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width, rows * HEIGHT));
        for (int i = 0; i < panels.size(); i++) {
            panel(s, panels.get(i), (i % 2) * WIDTH, (i / 2) * HEIGHT);
        }
        return s.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder s, Panel p, int ox, int oy) {
        double minX = p.series().stream().flatMapToDouble(series -> Arrays.stream(series.x())).min().orElse(1);
        double maxX = p.series().stream().flatMapToDouble(series -> Arrays.stream(series.x())).max().orElse(1);
        double maxY = p.series().stream().flatMapToDouble(series -> Arrays.stream(series.y())).filter(Double::isFinite)
                .max().orElse(0);
        if (!Double.isNaN(p.target())) {
            maxY = Math.max(maxY, p.target());
        }
        double step = niceStep(maxY > 0 ? maxY : 1);
        double top = Math.ceil((maxY > 0 ? maxY : 1) / step) * step;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double lo = Math.log(minX);
        double span = Math.log(maxX) - lo;
        DoubleUnaryOperator xPos = x -> ox + LEFT + (span <= 0 ? plotW / 2.0 : (Math.log(x) - lo) / span * plotW);
        DoubleUnaryOperator yPos = y -> oy + TOP + plotH - y / top * plotH;

        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                ox + LEFT, oy + 20, escape(p.title())));
        for (double y = 0; y <= top + step / 2; y += step) {
            double py = yPos.applyAsDouble(y);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", ox + LEFT, py, ox + LEFT + plotW, py,
                    ox + LEFT - 6, py + 4, number(y)));
        }
        for (double x : p.series().get(0).x()) {
            double px = xPos.applyAsDouble(x);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, oy + TOP, px, oy + TOP + plotH, px,
                    oy + TOP + plotH + 15, escape(p.xTick().apply(x))));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", ox + LEFT + plotW / 2,
                oy + HEIGHT - 8, escape(p.xLabel())));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                ox + 14, oy + TOP + plotH / 2, escape(p.yLabel())));
        if (!Double.isNaN(p.target())) {
            double py = yPos.applyAsDouble(p.target());
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\" "
                    + "stroke-dasharray=\"5,4\"/><text x=\"%d\" y=\"%.1f\">target %s</text>%n", ox + LEFT, py, ox + LEFT + plotW,
                    py, ox + LEFT + 4, py - 4, number(p.target())));
        }
        for (int n = 0; n < p.series().size(); n++) {
            Series series = p.series().get(n);
            String color = COLORS[n % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < series.x().length; i++) {
                if (!Double.isFinite(series.y()[i])) {
                    continue;
                }
                double px = xPos.applyAsDouble(series.x()[i]);
                double py = yPos.applyAsDouble(series.y()[i]);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, color));
            }
            s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(), color));
            int ly = oy + TOP + 6 + n * 15;
            int lx = ox + LEFT + plotW + 12;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, ly, lx + 16, ly, color, lx + 21, ly + 4, escape(series.name())));
        }
    }

    /** 1, 2 or 5 times a power of ten, so that about five steps reach {@code max}. */
    static double niceStep(double max) {
        double raw = max / 5;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / power;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
    }

    /** Whole numbers without decimals ({@code 0}, {@code 1,500}), others as the report writes them. */
    private static String number(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : Report.num(v);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
