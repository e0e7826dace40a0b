package io.berth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --output text|json} for listings, and the plain-text table they print. */
final class Output {
    /** Made on first use: picocli creates this mixin for every listing command at start, `serve` included. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    enum Format { text, json }

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    Format format = Format.text;

    boolean json() {
        return format == Format.json;
    }

    static ObjectMapper mapper() {
        return Json.MAPPER;
    }

    static void printJson(PrintWriter out, Object value) {
        try {
            out.println(mapper().writeValueAsString(value));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Columns padded to their widest cell, a dashed line under the header. */
    static void printTable(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        int total = 0;
        for (int w : widths) {
            total += w + 2;
        }
        out.println(line(header, widths));
        out.println("-".repeat(Math.max(0, total - 2)));
        rows.forEach(r -> out.println(line(r, widths)));
        out.flush();
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            s.append(i == cells.size() - 1 ? cells.get(i) : String.format("%-" + widths[i] + "s  ", cells.get(i)));
        }
        return s.toString().stripTrailing();
    }
}
