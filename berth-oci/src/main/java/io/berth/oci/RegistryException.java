package io.berth.oci;

/**
 * The one exception that carries a spec error: handlers throw it, one place renders it. The status is the code's
 * own unless the spec asks for another one with that code (a chunk out of order is 416 {@code BLOB_UPLOAD_INVALID},
 * a manifest over the size limit 413 {@code MANIFEST_INVALID}).
 */
public final class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final int status;
    private final String detail;

    public RegistryException(ErrorCode code, String detail) {
        this(code, code.status(), detail);
    }

    public RegistryException(ErrorCode code, int status, String detail) {
        super(code.name() + ": " + detail, null, false, false);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    /** The HTTP status it is answered with. */
    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }
}
