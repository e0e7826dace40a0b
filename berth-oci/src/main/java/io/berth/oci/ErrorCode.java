package io.berth.oci;

/**
 * The distribution-spec error codes (spec section "Error Codes") plus the few that registries commonly add.
 * Each code carries the HTTP status it is answered with and the spec's message. Server and client share it:
 * the server renders it into the JSON envelope, the client parses the envelope back into it.
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
    TAG_INVALID(400, "manifest tag did not match URI"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not in the spec's table, but Distribution's code for an invalid {@code n}: clients know it. */
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    /** Not a spec code: a request body over a configured limit (e.g. a manifest over 4 MiB). */
    SIZE_TOO_LARGE(413, "payload too large"),
    /** Not a spec code: an upload chunk that does not continue where the upload stands. */
    RANGE_INVALID(416, "requested range not satisfiable"),
    /** Not a spec code: the resource does not exist at all (unknown path). */
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

    public RegistryException exception(String detail) {
        return new RegistryException(this, detail);
    }
}
