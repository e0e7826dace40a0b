package io.berth.oci;

import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:encoded} as the image-spec defines it. Only the registered algorithms
 * {@code sha256} and {@code sha512} are accepted; the encoded part is validated for length and alphabet.
 *
 * <p>A value like a record, equal by its text. It keeps that text: a digest is written far more often than it is made
 * (SQL parameters, headers, JSON, every row of a listing page), and a parsed one reuses the string it came from.
 */
public final class Digest implements Comparable<Digest> {
    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Algorithm[] ALGORITHMS = Algorithm.values();

    /** The registered digest algorithms with the length of their lower-case hex encoding. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64), SHA512("sha512", "SHA-512", 128);

        private final String id;
        private final String jcaName;
        private final int hexLength;

        Algorithm(String id, String jcaName, int hexLength) {
            this.id = id;
            this.jcaName = jcaName;
            this.hexLength = hexLength;
        }

        public String id() {
            return id;
        }

        public MessageDigest newMessageDigest() {
            try {
                return MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(jcaName + " is required by the JDK", e);
            }
        }
    }

    private final Algorithm algorithm;
    /** {@code algorithm:hex}. */
    private final String text;

    public Digest(Algorithm algorithm, String hex) {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength || !isLowerHex(hex)) {
            throw new IllegalArgumentException("invalid " + (algorithm == null ? "" : algorithm.id) + " digest: " + hex);
        }
        this.algorithm = algorithm;
        this.text = algorithm.id + ":" + hex;
    }

    /** {@code text} is {@code algorithm:hex}, already checked. */
    private Digest(String text, Algorithm algorithm) {
        this.algorithm = algorithm;
        this.text = text;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The encoded part, lower-case hex. */
    public String hex() {
        return text.substring(algorithm.id.length() + 1);
    }

    /**
     * Parses {@code sha256:<64 hex>}. Throws {@link RegistryException} with {@link ErrorCode#DIGEST_INVALID}
     * for anything else, including well-formed digests of unregistered algorithms.
     */
    public static Digest parse(String text) {
        // The common case without the grammar's matcher, a few percent of a small request: a registered algorithm,
        // its colon and lower-case hex of its length, which the grammar always accepts.
        for (Algorithm a : ALGORITHMS) {
            if (text != null && text.length() == a.id.length() + 1 + a.hexLength && text.startsWith(a.id)
                    && text.charAt(a.id.length()) == ':') {
                if (isLowerHex(text, a.id.length() + 1)) {
                    return new Digest(text, a);
                }
            }
        }
        if (text == null || text.length() > 255 || !GRAMMAR.matcher(text).matches()) {
            throw ErrorCode.DIGEST_INVALID.exception("invalid digest: " + text);
        }
        int colon = text.indexOf(':');
        String algorithm = text.substring(0, colon);
        String encoded = text.substring(colon + 1);
        for (Algorithm a : ALGORITHMS) {
            if (a.id.equals(algorithm)) {
                if (encoded.length() != a.hexLength || !isLowerHex(encoded)) {
                    throw ErrorCode.DIGEST_INVALID.exception("invalid " + algorithm + " digest: " + text);
                }
                return new Digest(a, encoded);
            }
        }
        throw ErrorCode.DIGEST_INVALID.exception("unsupported digest algorithm: " + algorithm);
    }

    /** True when {@code text} looks like a digest (has the digest grammar), whether or not it is valid. */
    public static boolean looksLikeDigest(String text) {
        return text != null && text.indexOf(':') > 0;
    }

    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, Algorithm.SHA256.newMessageDigest().digest(content));
    }

    public static Digest of(Algorithm algorithm, byte[] rawDigest) {
        return new Digest(algorithm, HexFormat.of().formatHex(rawDigest));
    }

    /** The digest of {@code content} with this digest's algorithm. */
    public Digest recompute(byte[] content) {
        return of(algorithm, algorithm.newMessageDigest().digest(content));
    }

    private static boolean isLowerHex(String s) {
        return isLowerHex(s, 0);
    }

    private static boolean isLowerHex(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(Digest o) {
        return text.compareTo(o.text);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** {@code algorithm:hex}; also its JSON form. */
    @JsonValue
    @Override
    public String toString() {
        return text;
    }
}
