package io.berth.bench;

import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bytes the harness pushes, made once from fixed seeds so that every server and round gets the same content.
 * A large blob is a shared random body followed by a 16-byte tail of its own, so that ten distinct 256 MiB blobs
 * cost 256 MiB of memory and one pass of SHA-256 (the digest state after the body is cloned for each tail).
 */
final class Content {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final int TAIL = 16;

    /** A blob: body[0, bodyLength) then tail. */
    record Blob(byte[] body, int bodyLength, byte[] tail, String digest) {
        long size() {
            return (long) bodyLength + tail.length;
        }

        BodyPublisher publisher() {
            return slice(0, size());
        }

        /** The bytes [from, to) as a request body. */
        BodyPublisher slice(long from, long to) {
            List<BodyPublisher> parts = new ArrayList<>(2);
            if (from < bodyLength) {
                parts.add(BodyPublishers.ofByteArray(body, (int) from, (int) (Math.min(to, bodyLength) - from)));
            }
            if (to > bodyLength) {
                int start = (int) Math.max(0, from - bodyLength);
                parts.add(BodyPublishers.ofByteArray(tail, start, (int) (to - bodyLength) - start));
            }
            return parts.size() == 1 ? parts.get(0) : BodyPublishers.concat(parts.toArray(BodyPublisher[]::new));
        }

        byte byteAt(long i) {
            return i < bodyLength ? body[(int) i] : tail[(int) (i - bodyLength)];
        }
    }

    /** An image of the mixed workload: config, layers and the manifest that names them. */
    record Image(Blob config, List<Blob> layers, byte[] manifest, String manifestDigest) {
    }

    final List<Blob> big = new ArrayList<>();
    /** One big blob per client of upload-mono-32. */
    final List<Blob> bigMany = new ArrayList<>();
    /** A big blob of its own, pushed unmeasured before the big uploads so that they meet a warm server. */
    final Blob bigWarmup;
    /** The big blobs as files, for curl. */
    final BlobFiles files = new BlobFiles();
    final List<Blob> small1 = new ArrayList<>();
    final List<Blob> small8 = new ArrayList<>();
    final Blob tagConfig;
    final Blob tagLayer;
    final List<Image> images = new ArrayList<>();

    /** Big blob variants: 0 for upload-mono-1, 1..clients for upload-mono-8, clients+1 for upload-chunked. */
    Content(Sizes sizes) {
        byte[] body = random(sizes.bigBlob() - TAIL, 1);
        MessageDigest afterBody = sha256();
        afterBody.update(body);
        for (int v = 0; v < sizes.bigClients() + 2; v++) {
            big.add(bigVariant(body, afterBody, "big-" + v));
        }
        for (int v = 0; v < sizes.manyClients(); v++) {
            bigMany.add(bigVariant(body, afterBody, "big-many-" + v));
        }
        bigWarmup = bigVariant(body, afterBody, "big-warmup");
        small(small1, sizes.smallCount(), sizes.smallBlob(), 2);
        small(small8, sizes.smallCount(), sizes.smallBlob(), 3);
        tagConfig = blob(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[]},\"history\":[{\"created_by\":\"berth-bench\"}]}").getBytes(StandardCharsets.UTF_8));
        tagLayer = blob(random(4096, 4));
        images.addAll(images(sizes));
    }

    /** The mixed workload's images: each a config and 3 random layers of {@code sizes.imageLayer()} bytes. */
    static List<Image> images(Sizes sizes) {
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < sizes.images(); i++) {
            Blob config = blob(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"IMAGE=" + i
                    + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes(StandardCharsets.UTF_8));
            List<Blob> layers = new ArrayList<>();
            for (int l = 0; l < 3; l++) {
                layers.add(blob(random(sizes.imageLayer(), 1000L + i * 3L + l)));
            }
            byte[] manifest = manifest(config, layers, "image-" + i);
            images.add(new Image(config, layers, manifest, hex(sha256().digest(manifest))));
        }
        return images;
    }

    private static Blob bigVariant(byte[] body, MessageDigest afterBody, String name) {
        byte[] tail = String.format("%-16s", name).getBytes(StandardCharsets.US_ASCII);
        MessageDigest d = copy(afterBody);
        d.update(tail);
        return new Blob(body, body.length, tail, hex(d.digest()));
    }

    /** A typical image manifest: OCI media types, the annotation {@code bench.seq} makes each one distinct. */
    static byte[] manifest(Blob config, List<Blob> layers, String seq) {
        StringBuilder s = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"").append(OCI_MANIFEST)
                .append("\",\"config\":").append(descriptor(OCI_CONFIG, config)).append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            s.append(i == 0 ? "" : ",").append(descriptor(OCI_LAYER, layers.get(i)));
        }
        s.append("],\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\",\"bench.seq\":\"")
                .append(seq).append("\"}}");
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    byte[] tagManifest(int i) {
        return manifest(tagConfig, List.of(tagLayer), "tag-" + i);
    }

    static String tag(int i) {
        return String.format("t%05d", i);
    }

    private static String descriptor(String mediaType, Blob blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size() + "}";
    }

    /** {@code count} distinct random blobs of {@code size} bytes, the same for the same seed. */
    static List<Blob> smallBatch(int count, int size, long seed) {
        List<Blob> blobs = new ArrayList<>(count);
        small(blobs, count, size, seed);
        return blobs;
    }

    private static void small(List<Blob> into, int count, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[size];
            fill(bytes, random);
            into.add(blob(bytes));
        }
    }

    static Blob blob(byte[] bytes) {
        return new Blob(bytes, bytes.length, new byte[0], hex(sha256().digest(bytes)));
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        fill(bytes, new SplittableRandom(seed));
        return bytes;
    }

    private static void fill(byte[] bytes, SplittableRandom random) {
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            long v = random.nextLong();
            for (int b = 0; b < 8; b++) {
                bytes[i + b] = (byte) (v >>> (8 * b));
            }
        }
        for (; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest copy(MessageDigest d) {
        try {
            return (MessageDigest) d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] raw) {
        return "sha256:" + HexFormat.of().formatHex(raw);
    }
}
