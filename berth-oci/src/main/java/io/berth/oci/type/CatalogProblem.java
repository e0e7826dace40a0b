package io.berth.oci.type;

/**
 * Why (part of) a type file was not loaded. A file that does not parse contributes nothing; an invalid entry is
 * skipped and the rest of its file loads.
 *
 * @param file   the file's path or name
 * @param line   1-based line of the error or of the offending entry's start; 0 when no position applies (unreadable file)
 * @param column 1-based column, 0 when unknown
 */
public record CatalogProblem(String file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line + ":" + column : "") + ": " + message;
    }
}
