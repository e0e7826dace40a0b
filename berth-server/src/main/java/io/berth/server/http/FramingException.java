package io.berth.server.http;

import io.berth.oci.ErrorCode;

/**
 * A request whose framing or head the server will not trust: thrown inside the request decoder, which turns it into
 * a message with a failed decoder result and stops parsing the connection; {@link FramingGuard} answers it and closes.
 */
final class FramingException extends RuntimeException {
    private final int status;
    private final ErrorCode code;

    FramingException(int status, ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** 400 with {@link ErrorCode#SIZE_INVALID}: the body's length is in doubt. */
    static FramingException length(String detail) {
        return new FramingException(400, ErrorCode.SIZE_INVALID, detail);
    }

    /** 400 with {@link ErrorCode#UNSUPPORTED}: any other head or framing the server does not accept. */
    static FramingException head(String detail) {
        return new FramingException(400, ErrorCode.UNSUPPORTED, detail);
    }

    int status() {
        return status;
    }

    ErrorCode code() {
        return code;
    }
}
