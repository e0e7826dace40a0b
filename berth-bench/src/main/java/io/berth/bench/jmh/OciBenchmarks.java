package io.berth.bench.jmh;

import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import io.berth.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The hot paths of a request, in isolation: hashing a small and a large blob, parsing a typical image manifest
 * (about 2 KiB) and a 20-entry index, and matching request paths against the route table.
 * Run with {@code bench/run --jmh} (or {@code java -jar berth-bench/target/berth-bench.jar --jmh [JMH options]}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OciBenchmarks {
    byte[] blob4k;
    byte[] blob1m;
    byte[] manifest;
    byte[] index;
    String manifestPath;
    String blobPath;

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(1);
        blob4k = new byte[4096];
        blob1m = new byte[1024 * 1024];
        random.nextBytes(blob4k);
        random.nextBytes(blob1m);
        manifest = imageManifest().getBytes(StandardCharsets.UTF_8);
        index = imageIndex(20).getBytes(StandardCharsets.UTF_8);
        manifestPath = "/v2/library/ubuntu/manifests/22.04";
        blobPath = "/v2/library/ubuntu/blobs/" + digest(99);
        if (manifest.length < 1800 || manifest.length > 2400) {
            throw new IllegalStateException("the typical manifest should be about 2 KiB, is " + manifest.length);
        }
    }

    static String digest(int seed) {
        return Digest.sha256(("layer-" + seed).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** An image manifest of about 2 KiB: config, 9 layers, a few annotations. */
    static String imageManifest() {
        StringBuilder s = new StringBuilder("{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"").append(MediaTypes.OCI_MANIFEST)
                .append("\",\n  \"config\": {\"mediaType\": \"").append(MediaTypes.OCI_CONFIG).append("\", \"digest\": \"")
                .append(digest(0)).append("\", \"size\": 7023},\n  \"layers\": [\n");
        for (int i = 1; i <= 9; i++) {
            s.append("    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\", \"digest\": \"").append(digest(i))
                    .append("\", \"size\": ").append(1000 + 31_337L * i * i).append(i < 9 ? "},\n" : "}\n");
        }
        return s.append("  ],\n  \"annotations\": {\"org.opencontainers.image.created\": \"2024-05-01T12:00:00Z\", ")
                .append("\"org.opencontainers.image.source\": \"https://example.com/acme/app\", ")
                .append("\"org.opencontainers.image.revision\": \"4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39\", ")
                .append("\"org.opencontainers.image.title\": \"app\", \"org.opencontainers.image.version\": \"1.2.3\"}\n}\n")
                .toString();
    }

    static String imageIndex(int entries) {
        String[][] platforms = {{"amd64", "linux"}, {"arm64", "linux"}, {"arm", "linux"}, {"ppc64le", "linux"}, {"s390x", "linux"}};
        StringBuilder s = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"").append(MediaTypes.OCI_INDEX).append("\",\"manifests\":[");
        for (int i = 0; i < entries; i++) {
            String[] p = platforms[i % platforms.length];
            s.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.OCI_MANIFEST).append("\",\"digest\":\"")
                    .append(digest(100 + i)).append("\",\"size\":").append(1500 + i).append(",\"platform\":{\"architecture\":\"")
                    .append(p[0]).append("\",\"os\":\"").append(p[1]).append("\"}}");
        }
        return s.append("]}").toString();
    }

    @Benchmark
    public Digest digest4KiB() {
        return Digest.sha256(blob4k);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Digest digest1MiB() {
        return Digest.sha256(blob1m);
    }

    @Benchmark
    public Manifest parseImageManifest2KiB() {
        return ManifestParser.parse(manifest, MediaTypes.OCI_MANIFEST);
    }

    @Benchmark
    public Manifest parseIndex20() {
        return ManifestParser.parse(index, MediaTypes.OCI_INDEX);
    }

    @Benchmark
    public Optional<Endpoint.Match> matchManifestPath() {
        return Endpoint.match(manifestPath);
    }

    @Benchmark
    public Optional<Endpoint.Match> matchBlobPath() {
        return Endpoint.match(blobPath);
    }
}
