package io.berth.client.artifact;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Resolves names that come from a registry (titles, tar entries) under a directory, refusing any way out of it. */
final class SafePaths {
    private SafePaths() {
    }

    /** {@code dir/name}, or {@code MANIFEST_INVALID} for an absolute name, a {@code ..} segment or an empty name. */
    static Path resolve(Path dir, String name) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.contains("\0")
                || name.matches("^[A-Za-z]:.*")) {
            throw refused(name);
        }
        for (String segment : name.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw refused(name);
            }
        }
        try {
            Path base = dir.toAbsolutePath().normalize();
            Path resolved = base.resolve(name).normalize();
            if (!resolved.startsWith(base) || resolved.equals(base)) {
                throw refused(name);
            }
            return resolved;
        } catch (InvalidPathException e) {
            throw refused(name);
        }
    }

    private static RegistryException refused(String name) {
        return ErrorCode.MANIFEST_INVALID.exception("refusing the file name \"" + name
                + "\": it would be written outside the output directory");
    }
}
