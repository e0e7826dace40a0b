package io.berth.server.meta;

/**
 * An immutable tag (see {@link ImmutableTags}) would have moved to another digest or gone: by a push, a tag delete or
 * the delete of the manifest it points at. Nothing was written.
 */
public final class ImmutableTagException extends PolicyDenial {

    public ImmutableTagException(String message) {
        super(message);
    }
}
