package io.berth.oci.type;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies one type file to a {@link CatalogBuilder}: recognizes its format (Berth's {@code berthTypes} or the seed's
 * {@code schemaVersion}/{@code mediaTypes}) and adds its entries. A file that does not parse, or is neither format,
 * adds nothing; an invalid entry is skipped. Every problem carries the file and a line and column.
 */
final class TypeFiles {
    private TypeFiles() {
    }

    static List<CatalogProblem> apply(TypeSource source, String sourceLabel, CatalogBuilder builder) {
        List<CatalogProblem> problems = new ArrayList<>();
        TypeFileReader.Document doc;
        try {
            doc = TypeFileReader.read(source);
        } catch (JsonProcessingException e) {
            return List.of(problem(source, e.getLocation(), e.getOriginalMessage()));
        } catch (TypeFileReader.NotAnObject e) {
            return List.of(problem(source, e.location, e.getMessage()));
        } catch (IOException e) {
            return List.of(new CatalogProblem(source.name(), 0, 0, "cannot read: " + e.getMessage()));
        }
        Map<String, JsonNode> fields = doc.fields();
        builder.startFile();
        if (fields.containsKey("berthTypes")) {
            if (!version(fields.get("berthTypes"), BerthFormat.VERSION)) {
                return List.of(new CatalogProblem(source.name(), 1, 1, "unsupported berthTypes version "
                        + fields.get("berthTypes") + " (this Berth reads " + BerthFormat.VERSION + ")"));
            }
            for (TypeFileReader.Entry entry : entries(doc, "types", source, problems)) {
                try {
                    builder.put(BerthFormat.type(entry.node(), source, sourceLabel));
                } catch (Fields.Invalid e) {
                    problems.add(entryProblem(source, "types", entry, e.getMessage()));
                }
            }
        } else if (fields.containsKey("mediaTypes")) {
            if (fields.containsKey("schemaVersion") && !version(fields.get("schemaVersion"), SeedFormat.VERSION)) {
                return List.of(new CatalogProblem(source.name(), 1, 1, "unsupported mediaTypeMappings schemaVersion "
                        + fields.get("schemaVersion")));
            }
            for (TypeFileReader.Entry entry : entries(doc, "mediaTypes", source, problems)) {
                try {
                    builder.seed(SeedFormat.entry(entry.node(), source,
                            dropped -> problems.add(entryProblem(source, "mediaTypes", entry, dropped + " (ignored)"))),
                            sourceLabel);
                } catch (Fields.Invalid e) {
                    problems.add(entryProblem(source, "mediaTypes", entry, e.getMessage()));
                }
            }
        } else {
            problems.add(new CatalogProblem(source.name(), 1, 1,
                    "not a type file: expected \"berthTypes\" and \"types\", or \"schemaVersion\" and \"mediaTypes\""));
        }
        return problems;
    }

    private static List<TypeFileReader.Entry> entries(TypeFileReader.Document doc, String field, TypeSource source,
                                                      List<CatalogProblem> problems) {
        List<TypeFileReader.Entry> entries = doc.arrays().get(field);
        if (entries == null) {
            problems.add(new CatalogProblem(source.name(), 1, 1, "\"" + field + "\" must be an array"));
            return List.of();
        }
        return entries;
    }

    private static boolean version(JsonNode node, int expected) {
        return node.isIntegralNumber() && node.canConvertToInt() && node.intValue() == expected;
    }

    private static CatalogProblem entryProblem(TypeSource source, String field, TypeFileReader.Entry entry, String message) {
        String id = entry.node().path(field.equals("types") ? "id" : "mediaType").asText("");
        String where = field + "[" + entry.index() + "]" + (id.isEmpty() ? "" : " (" + id + ")");
        return new CatalogProblem(source.name(), entry.line(), entry.column(), where + ": " + message);
    }

    private static CatalogProblem problem(TypeSource source, JsonLocation location, String message) {
        return location == null
                ? new CatalogProblem(source.name(), 0, 0, message)
                : new CatalogProblem(source.name(), location.getLineNr(), location.getColumnNr(), message);
    }
}
