package io.berth.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Unexpected answers (a status other than the one expected, an I/O error, wrong bytes) counted per phase. */
final class Tally {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> perPhase = new ConcurrentHashMap<>();

    void add(String phase, String what, long n) {
        if (n <= 0) {
            return;
        }
        counts.computeIfAbsent(phase + ": " + what, k -> new LongAdder()).add(n);
        perPhase.computeIfAbsent(phase, k -> new LongAdder()).add(n);
    }

    long inPhase(String phase) {
        LongAdder a = perPhase.get(phase);
        return a == null ? 0 : a.sum();
    }

    Map<String, Long> all() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }
}
