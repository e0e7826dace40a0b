package io.berth.server.meta;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Which registry node this process is among those that share one database: the holder named in every lease
 * ({@link JobLease}, {@link CollectionLease}, scan claims), the {@code node} tag of its metrics and the origin of the
 * signals it sends to the others ({@link ChangeFeed}). {@code node.id} in the configuration, else the host name and
 * the address the node listens on ({@link #of}): only one process at a time can listen there, so that a node restarted
 * after a crash takes its own leases back at once instead of waiting for them to expire; else, on a port chosen at
 * start, the host name and a random suffix, so that two processes on one host never share one.
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

    /** The id of a node without {@code node.id} that listens on {@code host:port}: port 0 gets a random one. */
    public static NodeId of(String listenHost, int port) {
        if (port == 0) {
            return generate();
        }
        String address = listenHost.replaceAll("[^A-Za-z0-9._:-]", "_") + ":" + port;
        if (address.length() > 80) { // a host name that long: its hash stands for it
            address = Integer.toHexString(listenHost.hashCode()) + ":" + port;
        }
        String host = hostName();
        return new NodeId((host.length() + address.length() > 99 ? "node" : host) + "/" + address);
    }

    /** The host name (from {@code HOSTNAME}, without waiting for DNS) and six random hex digits. */
    public static NodeId generate() {
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        String host = hostName();
        return new NodeId((host.length() > 90 ? host.substring(0, 90) : host) + "-" + HexFormat.of().formatHex(suffix));
    }

    private static String hostName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "node").replaceAll("[^A-Za-z0-9._-]", "");
        return host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0)) ? "node" : host;
    }

    @Override
    public String toString() {
        return value;
    }
}
