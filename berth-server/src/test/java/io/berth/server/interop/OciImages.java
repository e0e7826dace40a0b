package io.berth.server.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Builds small, deterministic OCI images and OCI image layouts in plain Java, and reads layouts and tars back. */
public final class OciImages {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    static final ObjectMapper JSON = new ObjectMapper();

    private OciImages() {
    }

    /** Content with its media type; digest and size are derived. */
    public record Blob(String mediaType, byte[] bytes) {
        public String digest() {
            return sha256(bytes);
        }

        public long size() {
            return bytes.length;
        }

        Map<String, Object> descriptor() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", mediaType);
            d.put("digest", digest());
            d.put("size", size());
            return d;
        }
    }

    /** One single-platform image: its manifest, config and (single) layer, plus the layer's uncompressed tar. */
    public record Image(Blob manifest, Blob config, Blob layer, byte[] layerTar, String os, String architecture) {
        public List<Blob> blobs() {
            return List.of(manifest, config, layer);
        }

        public String diffId() {
            return sha256(layerTar);
        }
    }

    /** A multi-platform image: an OCI index over several images. */
    public record MultiArch(Blob index, List<Image> images) {
        public List<Blob> blobs() {
            List<Blob> all = new ArrayList<>();
            all.add(index);
            images.forEach(i -> all.addAll(i.blobs()));
            return all;
        }
    }

    /** An OCI image for {@code os/architecture} with one gzip layer holding {@code files}. */
    public static Image image(String os, String architecture, Map<String, byte[]> files) {
        byte[] tar = tar(files);
        Blob layer = new Blob(OCI_LAYER_GZIP, gzip(tar));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "2024-01-01T00:00:00Z");
        config.put("architecture", architecture);
        config.put("os", os);
        config.put("config", map("Env", List.of("PATH=/usr/bin:/bin")));
        config.put("rootfs", map("type", "layers", "diff_ids", List.of(sha256(tar))));
        Blob configBlob = new Blob(OCI_CONFIG, json(config));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", configBlob.descriptor());
        manifest.put("layers", List.of(layer.descriptor()));
        manifest.put("annotations", map("org.opencontainers.image.description", "berth interop test image"));
        return new Image(new Blob(OCI_MANIFEST, json(manifest)), configBlob, layer, tar, os, architecture);
    }

    /** A linux image whose single file makes its blobs unique to {@code seed}. */
    public static Image image(String seed) {
        return image("linux", "amd64", Map.of("hello.txt", ("hello from " + seed + "\n").getBytes(
                StandardCharsets.UTF_8)));
    }

    /** An OCI index over one image per platform ({@code "linux/amd64"}, {@code "linux/arm64"} …). */
    public static MultiArch multiArch(String seed, String... platforms) {
        List<Image> images = new ArrayList<>();
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String platform : platforms) {
            String[] parts = platform.split("/");
            Image image = image(parts[0], parts[1], Map.of("platform.txt",
                    (seed + " on " + platform + "\n").getBytes(StandardCharsets.UTF_8)));
            images.add(image);
            Map<String, Object> entry = image.manifest().descriptor();
            entry.put("platform", map("os", parts[0], "architecture", parts[1]));
            entries.add(entry);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.put("manifests", entries);
        return new MultiArch(new Blob(OCI_INDEX, json(index)), images);
    }

    /** Writes an OCI image layout at {@code dir} whose index.json tags {@code top} as {@code tag}. */
    public static Path writeLayout(Path dir, String tag, Blob top, List<Blob> blobs) {
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            for (Blob blob : blobs) {
                Files.write(blobPath(dir, blob.digest()), blob.bytes());
            }
            Map<String, Object> entry = top.descriptor();
            entry.put("annotations", map("org.opencontainers.image.ref.name", tag));
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("schemaVersion", 2);
            index.put("mediaType", OCI_INDEX);
            index.put("manifests", List.of(entry));
            Files.write(dir.resolve("index.json"), json(index));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path blobPath(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    /** All blobs of a layout, by digest. */
    public static Map<String, byte[]> readBlobs(Path layout) {
        Map<String, byte[]> blobs = new TreeMap<>();
        try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path file : files.toList()) {
                blobs.put("sha256:" + file.getFileName(), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return blobs;
    }

    /** The descriptor that the layout's index.json tags as {@code tag}. */
    public static JsonNode taggedDescriptor(Path layout, String tag) {
        JsonNode index = parse(read(layout.resolve("index.json")));
        for (JsonNode entry : index.path("manifests")) {
            if (tag.equals(entry.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return entry;
            }
        }
        throw new AssertionError("no manifest tagged " + tag + " in " + layout + "/index.json: " + index);
    }

    /** A JSON object with keys in the given order ({@code map("k1", v1, "k2", v2)}). */
    public static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    // ---- bytes ----

    public static String sha256(byte[] data) {
        return Digest.sha256(data).toString();
    }

    public static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] gunzip(byte[] data) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A deterministic ustar archive of regular files (mode 0644, owner 0:0, mtime 2024-01-01). */
    public static byte[] tar(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> file : new TreeMap<>(files).entrySet()) {
            byte[] header = new byte[512];
            put(header, 0, 100, file.getKey());
            put(header, 100, 8, "0000644");
            put(header, 108, 8, "0000000");
            put(header, 116, 8, "0000000");
            put(header, 124, 12, String.format("%011o", file.getValue().length));
            put(header, 136, 12, String.format("%011o", 1704067200L));
            header[156] = '0';
            put(header, 257, 6, "ustar");
            put(header, 263, 2, "00");
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, 8, String.format("%06o", sum) + "\0 ");
            out.writeBytes(header);
            out.writeBytes(file.getValue());
            out.writeBytes(new byte[(512 - file.getValue().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** The regular files of a tar archive (ustar/GNU/PAX headers are read only as far as these tests need). */
    public static Map<String, byte[]> untar(byte[] tar) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        int pos = 0;
        String longName = null;
        while (pos + 512 <= tar.length) {
            if (isZero(tar, pos)) {
                break;
            }
            String name = string(tar, pos, 100);
            String prefix = string(tar, pos + 345, 155);
            String sizeField = string(tar, pos + 124, 12).trim();
            long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
            byte type = tar[pos + 156];
            int dataStart = pos + 512;
            byte[] data = java.util.Arrays.copyOfRange(tar, dataStart, (int) (dataStart + size));
            if (type == 'L') {
                longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
            } else if (type == 'x') {
                String pax = new String(data, StandardCharsets.UTF_8);
                for (String line : pax.split("\n")) {
                    int space = line.indexOf(' ');
                    if (space > 0 && line.substring(space + 1).startsWith("path=")) {
                        longName = line.substring(space + 1 + "path=".length());
                    }
                }
            } else {
                String full = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
                longName = null;
                if (type == '0' || type == 0) {
                    files.put(full.startsWith("./") ? full.substring(2) : full, data);
                }
            }
            pos = dataStart + (int) ((size + 511) / 512 * 512);
        }
        return files;
    }

    private static boolean isZero(byte[] data, int from) {
        for (int i = from; i < from + 512; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] data, int from, int length) {
        int end = from;
        while (end < from + length && data[end] != 0) {
            end++;
        }
        return new String(data, from, end - from, StandardCharsets.UTF_8);
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(length, bytes.length));
    }
}
