package io.berth.cli;

import io.berth.client.artifact.TransferListener;
import io.berth.oci.Descriptor;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on a terminal, one per blob in flight; a line per finished blob when not on a terminal
 * ({@code System.console() == null}) unless quiet.
 */
final class ProgressBars implements TransferListener, AutoCloseable {
    private final boolean terminal;
    private final PrintWriter log;
    private final Map<String, ProgressBar> bars = new ConcurrentHashMap<>();
    private final Map<String, String> labels = new ConcurrentHashMap<>();

    private ProgressBars(boolean terminal, PrintWriter log) {
        this.terminal = terminal;
        this.log = log;
    }

    /** Bars on a terminal, else a line per blob on {@code log}; nothing at all when {@code quiet}. */
    static ProgressBars create(PrintWriter log, boolean quiet) {
        return new ProgressBars(!quiet && System.console() != null, quiet ? null : log);
    }

    @Override
    public void started(Descriptor blob, String label) {
        String key = key(blob, label);
        labels.put(key(blob, null), label);
        if (terminal) {
            bars.computeIfAbsent(key, k -> new ProgressBarBuilder().setTaskName(shorten(label))
                    .setInitialMax(Math.max(blob.size(), 0)).setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" KiB", 1024).showSpeed().continuousUpdate().build());
        }
    }

    @Override
    public void progressed(Descriptor blob, long bytes) {
        ProgressBar bar = bars.get(key(blob, labels.get(key(blob, null))));
        if (bar != null) {
            bar.stepBy(bytes);
        }
    }

    @Override
    public void finished(Descriptor blob, Outcome outcome) {
        String label = labels.getOrDefault(key(blob, null), blob.digest().toString());
        ProgressBar bar = bars.remove(key(blob, label));
        if (bar != null) {
            bar.setExtraMessage(outcome.name().toLowerCase());
            if (bar.getMax() > 0) {
                bar.stepTo(bar.getMax());
            }
            bar.close();
        } else if (log != null) {
            synchronized (log) {
                log.println(word(outcome) + " " + label + (blob.size() >= 0 ? " (" + blob.size() + " bytes)" : ""));
                log.flush();
            }
        }
    }

    private static String word(Outcome outcome) {
        return switch (outcome) {
            case UPLOADED -> "Uploaded";
            case DOWNLOADED -> "Downloaded";
            case COPIED -> "Copied";
            case MOUNTED -> "Mounted";
            case SKIPPED -> "Exists";
        };
    }

    private static String key(Descriptor blob, String label) {
        return blob.digest() + (label == null ? "" : " " + label);
    }

    private static String shorten(String label) {
        return label.length() > 24 ? label.substring(0, 23) + "…" : label;
    }

    @Override
    public void close() {
        bars.values().forEach(ProgressBar::close);
        bars.clear();
    }
}
