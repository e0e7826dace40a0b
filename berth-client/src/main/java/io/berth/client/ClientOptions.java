package io.berth.client;

import io.berth.client.auth.CredentialSource;
import io.berth.client.auth.DockerConfig;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How a {@link RegistryClient} talks to registries. Immutable; start from {@link #defaults()}.
 *
 * @param plainHttp       which registry hosts ({@code host[:port]}) are spoken to over plain HTTP instead of HTTPS
 * @param credentials     where credentials come from; by default docker's and podman's login files
 * @param monolithicLimit blobs up to this size are uploaded in one request, larger ones in chunks
 * @param chunkSize       the size of an upload chunk (raised to the registry's {@code OCI-Chunk-Min-Length})
 * @param parallelism     how many blobs {@link io.berth.client.artifact.Artifacts} transfers at once
 * @param connectTimeout  how long to wait for a connection
 * @param userAgent       the {@code User-Agent} header
 */
public record ClientOptions(Predicate<String> plainHttp, CredentialSource credentials, long monolithicLimit,
                            int chunkSize, int parallelism, Duration connectTimeout, String userAgent) {
    public static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

    public ClientOptions {
        if (chunkSize < 1 || monolithicLimit < 0 || parallelism < 1) {
            throw new IllegalArgumentException("chunkSize and parallelism must be positive, monolithicLimit not negative");
        }
    }

    /** HTTPS everywhere, docker/podman credentials, 8 MiB chunks above 8 MiB, 4 transfers at once. */
    public static ClientOptions defaults() {
        return new ClientOptions(host -> false, DockerConfig.fromEnvironment(), DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE, 4,
                Duration.ofSeconds(30), "berth-client/0.1");
    }

    /** Plain HTTP to every host ({@code true}) or none. */
    public ClientOptions withPlainHttp(boolean plain) {
        return withPlainHttp(host -> plain);
    }

    /** Plain HTTP to these hosts only. */
    public ClientOptions withPlainHttpHosts(Set<String> hosts) {
        Set<String> copy = Set.copyOf(hosts);
        return withPlainHttp(copy::contains);
    }

    public ClientOptions withPlainHttp(Predicate<String> plain) {
        return new ClientOptions(plain, credentials, monolithicLimit, chunkSize, parallelism, connectTimeout, userAgent);
    }

    public ClientOptions withCredentials(CredentialSource source) {
        return new ClientOptions(plainHttp, source, monolithicLimit, chunkSize, parallelism, connectTimeout, userAgent);
    }

    /** Uploads blobs larger than {@code monolithicLimit} in chunks of {@code chunkSize}. */
    public ClientOptions withChunking(long monolithicLimit, int chunkSize) {
        return new ClientOptions(plainHttp, credentials, monolithicLimit, chunkSize, parallelism, connectTimeout, userAgent);
    }

    public ClientOptions withParallelism(int transfers) {
        return new ClientOptions(plainHttp, credentials, monolithicLimit, chunkSize, transfers, connectTimeout, userAgent);
    }

    public ClientOptions withUserAgent(String agent) {
        return new ClientOptions(plainHttp, credentials, monolithicLimit, chunkSize, parallelism, connectTimeout, agent);
    }
}
