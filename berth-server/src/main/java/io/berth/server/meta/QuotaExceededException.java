package io.berth.server.meta;

/** A blob link or a manifest would have taken a repository or namespace past its {@link Quota}. Nothing was written. */
public final class QuotaExceededException extends PolicyDenial {

    public QuotaExceededException(String message) {
        super(message);
    }
}
