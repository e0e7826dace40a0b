package io.berth.server.meta;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Which registry node this process is among those that share one database: the holder named in every lease
 * ({@link JobLease}, {@link CollectionLease}, scan claims), the {@code node} tag of its metrics and the origin of the
 * signals it sends to the others ({@link ChangeFeed}). {@code node.id} in the configuration, else the host name and a
 * random suffix, so that two processes on one host never share one.
 */
public record NodeId(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public NodeId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("node.id must be 1 to 100 letters, digits and . _ : @ / - (starting with"
                    + " a letter or digit), was " + value);
        }
    }

    /** The host name (from {@code HOSTNAME}, without waiting for DNS) and six random hex digits. */
    public static NodeId generate() {
        String host = System.getenv().getOrDefault("HOSTNAME", "node").replaceAll("[^A-Za-z0-9._-]", "");
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        String prefix = host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0)) ? "node" : host;
        return new NodeId((prefix.length() > 90 ? prefix.substring(0, 90) : prefix) + "-" + HexFormat.of().formatHex(suffix));
    }

    @Override
    public String toString() {
        return value;
    }
}
