package io.berth.oci;

/**
 * The distribution-spec error codes (spec section "Error Codes"), then the few that only the client uses. Each code
 * carries the HTTP status it is usually answered with and the spec's message. Server and client share it: the server
 * renders it into the JSON envelope, the client parses the envelope back into it.
 *
 * <p>The server answers only with the spec's codes ({@link #isSpec}), and {@code UNKNOWN} or {@code UNAVAILABLE}
 * for its own faults; where the spec wants another status with a code, it says so with
 * {@link #exception(int, String)}. The codes after {@code TOOMANYREQUESTS} are what the client makes of answers
 * without an envelope (a bare 404, 413 or 416) and of other registries' codes.
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    /** 400, not 404: the pushed manifest is at fault, not the URL (Docker Registry HTTP API V2, the spec's apdx-1). */
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not in distribution-spec v1.1 (older Docker registries send it): a malformed tag, on the client's side. */
    TAG_INVALID(400, "manifest tag did not match URI"),
    /** Distribution's code for an invalid {@code n}; Berth answers {@code UNSUPPORTED} with 400. */
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    /** Client side: a bare 413. */
    SIZE_TOO_LARGE(413, "payload too large"),
    /** Client side: a bare 416, or Distribution's code for a chunk out of order. */
    RANGE_INVALID(416, "requested range not satisfiable"),
    /** Client side: a bare 404. */
    NOT_FOUND(404, "not found"),
    UNKNOWN(500, "unknown error"),
    UNAVAILABLE(503, "service unavailable");

    private final int status;
    private final String message;

    ErrorCode(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String message() {
        return message;
    }

    /** The code named in an error envelope, or {@link #UNKNOWN} for one this version does not know. */
    public static ErrorCode fromName(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return UNKNOWN;
        }
    }

    /** Whether the distribution-spec defines this code. */
    public boolean isSpec() {
        return ordinal() <= TOOMANYREQUESTS.ordinal();
    }

    public RegistryException exception(String detail) {
        return new RegistryException(this, detail);
    }

    /** This code with another status than its usual one, as the spec asks in some places. */
    public RegistryException exception(int status, String detail) {
        return new RegistryException(this, status, detail);
    }
}
