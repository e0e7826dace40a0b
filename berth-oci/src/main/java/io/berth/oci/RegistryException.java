package io.berth.oci;

/** The one exception that carries a spec error: handlers throw it, one place renders it. */
public final class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final String detail;

    public RegistryException(ErrorCode code, String detail) {
        super(code.name() + ": " + detail, null, false, false);
        this.code = code;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public String detail() {
        return detail;
    }
}
