package io.berth.oci;

import java.util.regex.Pattern;

/** What follows {@code /manifests/} in a URL: a tag or a digest. */
public sealed interface Reference permits Reference.Tag, Reference.ByDigest {
    /** {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}} from the spec: the definition; tags are checked by {@link Grammar#isTag}. */
    Pattern TAG_GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    /** Parses a tag or a digest; a malformed tag is {@code TAG_INVALID}, a malformed digest {@code DIGEST_INVALID}. */
    static Reference parse(String text) {
        if (Digest.looksLikeDigest(text)) {
            return new ByDigest(Digest.parse(text));
        }
        return new Tag(text);
    }

    /** A tag name. */
    record Tag(String name) implements Reference {
        public Tag {
            if (name == null || !Grammar.isTag(name)) {
                throw ErrorCode.TAG_INVALID.exception("invalid tag: " + name);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A manifest digest. */
    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }
}
