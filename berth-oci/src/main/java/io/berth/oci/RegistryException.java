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
    private final String message;

    public RegistryException(ErrorCode code, String detail) {
        this(code, code.status(), detail);
    }

    public RegistryException(ErrorCode code, int status, String detail) {
        this(code, status, code.message(), detail);
    }

    /**
     * With a message of its own instead of the code's: where the code alone would mislead a person reading a client's
     * output (a write refused because the registry is read-only or its storage is full is no access problem).
     */
    public RegistryException(ErrorCode code, int status, String message, String detail) {
        super(text(code, message, detail), null, false, false);
        this.code = code;
        this.status = status;
        this.message = message;
        this.detail = detail;
    }

    /** {@code CODE: message: detail}, leaving out the code's own message and a missing detail. */
    private static String text(ErrorCode code, String message, String detail) {
        StringBuilder text = new StringBuilder(code.name()).append(':');
        if (!message.equals(code.message())) {
            text.append(' ').append(message).append(detail == null ? "" : ":");
        }
        return detail == null ? text.toString() : text.append(' ').append(detail).toString();
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

    /** The envelope's {@code message}: the code's own unless this error says something more specific. */
    public String message() {
        return message;
    }
}
