package io.berth.client;

import io.berth.oci.ErrorCode;

/**
 * A registry answered with an error, or could not be reached. Carries the spec's {@link ErrorCode} parsed from the
 * {@code {"errors":[…]}} envelope (or derived from the status when the body has none), the HTTP status (0 when no
 * answer came) and the registry's detail.
 */
public final class RegistryClientException extends RuntimeException {
    private final ErrorCode code;
    private final int status;
    private final String detail;

    public RegistryClientException(ErrorCode code, int status, String detail) {
        this(code, status, detail, null);
    }

    public RegistryClientException(ErrorCode code, int status, String detail, Throwable cause) {
        super(code.name() + (status > 0 ? " (" + status + ")" : "") + ": " + detail, cause);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    /** The HTTP status, 0 when the registry did not answer. */
    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    /** True for the codes that mean "not there" (unknown manifest, blob, repository) and for any 404. */
    public boolean isNotFound() {
        return status == 404 || switch (code) {
            case MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN, NOT_FOUND, BLOB_UPLOAD_UNKNOWN -> true;
            default -> false;
        };
    }

    /** True when credentials are missing or refused. */
    public boolean isAuth() {
        return code == ErrorCode.UNAUTHORIZED || code == ErrorCode.DENIED;
    }
}
