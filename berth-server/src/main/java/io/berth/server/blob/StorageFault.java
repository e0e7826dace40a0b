package io.berth.server.blob;

import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.util.Locale;
import java.util.Optional;

/**
 * The storage failures a client should be told about by name rather than as an anonymous 500: the disk (or the
 * database's disk) is full, or the file system was made read-only. Recognised in a failure's cause chain by the
 * operating system's own wording (Java reports {@code ENOSPC}, {@code EDQUOT} and {@code EROFS} only as text), SQLite's
 * ({@code SQLITE_FULL}, {@code SQLITE_READONLY}) and PostgreSQL's (which quotes the operating system).
 */
public enum StorageFault {
    /** 507 Insufficient Storage: nothing can be written until space is freed. */
    FULL(507, "storage is full", "no space left on device", "disk quota exceeded", "database or disk is full",
            "sqlite_full"),
    /** 503: the file system or the database refuses writes (remounted read-only, permissions). */
    READ_ONLY(503, "storage is read-only", "read-only file system", "readonly database", "sqlite_readonly");

    private final int status;
    private final String message;
    private final String[] signs;

    StorageFault(int status, String message, String... signs) {
        this.status = status;
        this.message = message;
        this.signs = signs;
    }

    public int status() {
        return status;
    }

    /** What a person is told: {@code storage is full}. */
    public String message() {
        return message;
    }

    /** The fault somewhere in {@code failure}'s cause chain, if it is one of these. */
    public static Optional<StorageFault> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String text = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            for (StorageFault fault : values()) {
                for (String sign : fault.signs) {
                    if (text.contains(sign)) {
                        return Optional.of(fault);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The error a client gets: {@code DENIED} (the spec's code for a write the registry will not take) with this
     * fault's status and message, and the cause in the detail.
     */
    public RegistryException exception(String detail) {
        return new RegistryException(ErrorCode.DENIED, status, message, detail);
    }

    /** The operating system's words for the failure, for the detail and the log: the innermost message. */
    public static String cause(Throwable failure) {
        String text = failure.toString();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                text = t.getMessage();
            }
        }
        return text;
    }
}
