package io.berth.server.blob;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code storage.s3} section, in force when {@code storage.driver: s3}.
 *
 * <pre>
 * storage:
 *   driver: s3                    # BERTH_STORAGE_DRIVER: filesystem (default) | s3
 *   s3:
 *     endpoint: http://127.0.0.1:9000  # BERTH_STORAGE_S3_ENDPOINT: empty = AWS (the region's endpoint)
 *     region: us-east-1           # BERTH_STORAGE_S3_REGION
 *     bucket: berth               # BERTH_STORAGE_S3_BUCKET: must exist
 *     prefix: ""                  # BERTH_STORAGE_S3_PREFIX: key prefix, e.g. registry/ to share a bucket
 *     pathStyle: false            # BERTH_STORAGE_S3_PATH_STYLE: true for s3proxy, MinIO, Ceph without DNS names
 *     accessKey: ""               # BERTH_STORAGE_S3_ACCESS_KEY: empty = the SDK's default credentials chain
 *     secretKey: ""               # BERTH_STORAGE_S3_SECRET_KEY
 *     serverSideEncryption: ""    # BERTH_STORAGE_S3_SERVER_SIDE_ENCRYPTION: "" | AES256 | aws:kms
 *     redirect: false             # BERTH_STORAGE_S3_REDIRECT: blob GETs answer 307 to a presigned URL
 *     redirectTtl: 20m            # BERTH_STORAGE_S3_REDIRECT_TTL: how long a presigned URL is valid
 * </pre>
 *
 * @param endpoint             the S3 API's address; empty for AWS, where the region names it
 * @param region               the region requests are signed for ({@code us-east-1} suits most other stores)
 * @param bucket               the bucket; Berth never creates it
 * @param prefix               prepended to every key, normalised to end with {@code /} unless empty
 * @param pathStyle            {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param credentials          a static key pair, or empty for the default chain (environment, profile, instance role)
 * @param serverSideEncryption what the store encrypts new objects with
 * @param redirect             whether blob downloads are redirected to presigned URLs instead of streamed by Berth
 * @param redirectTtl          how long such a URL is valid (S3 allows up to 7 days)
 */
public record S3Config(Optional<URI> endpoint, String region, String bucket, String prefix, boolean pathStyle,
                       Optional<Credentials> credentials, ServerSideEncryption serverSideEncryption,
                       boolean redirect, Duration redirectTtl) implements StorageDriverConfig {
    public static final Duration DEFAULT_REDIRECT_TTL = Duration.ofMinutes(20);
    private static final Duration LONGEST_PRESIGN = Duration.ofDays(7);

    /** A static access key pair; {@link #toString} hides the secret. */
    public record Credentials(String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "Credentials[accessKey=" + accessKey + ", secretKey=***]";
        }
    }

    /** The {@code x-amz-server-side-encryption} new objects are written with. */
    public enum ServerSideEncryption {
        NONE(""), AES256("AES256"), KMS("aws:kms");

        private final String header;

        ServerSideEncryption(String header) {
            this.header = header;
        }

        public String header() {
            return header;
        }

        /** The value as the setting spells it ({@code ""}, {@code AES256}, {@code aws:kms}). */
        public static Optional<ServerSideEncryption> parse(String text) {
            for (ServerSideEncryption value : values()) {
                if (value.header.equalsIgnoreCase(text.trim())) {
                    return Optional.of(value);
                }
            }
            return Optional.empty();
        }
    }

    public S3Config {
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix)
                : prefix + "/";
        redirectTtl = redirectTtl == null ? DEFAULT_REDIRECT_TTL : redirectTtl;
        serverSideEncryption = serverSideEncryption == null ? ServerSideEncryption.NONE : serverSideEncryption;
    }

    /** A bucket on a store at {@code endpoint} with static credentials and path-style access (s3proxy, MinIO). */
    public static S3Config at(URI endpoint, String bucket, String accessKey, String secretKey) {
        return new S3Config(Optional.of(endpoint), "us-east-1", bucket, "", true,
                Optional.of(new Credentials(accessKey, secretKey)), ServerSideEncryption.NONE, false,
                DEFAULT_REDIRECT_TTL);
    }

    public S3Config withPrefix(String prefix) {
        return new S3Config(endpoint, region, bucket, prefix, pathStyle, credentials, serverSideEncryption, redirect,
                redirectTtl);
    }

    public S3Config withRedirect(boolean redirect, Duration redirectTtl) {
        return new S3Config(endpoint, region, bucket, prefix, pathStyle, credentials, serverSideEncryption, redirect,
                redirectTtl);
    }

    /** What is wrong with this section, each problem naming its key and the fix. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (bucket == null || bucket.isBlank()) {
            problems.add("storage.s3.bucket (BERTH_STORAGE_S3_BUCKET) must be set when storage.driver is s3:"
                    + " the name of an existing bucket");
        }
        if (region == null || region.isBlank()) {
            problems.add("storage.s3.region (BERTH_STORAGE_S3_REGION) must not be empty: e.g. us-east-1");
        }
        endpoint.ifPresent(uri -> {
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                problems.add("storage.s3.endpoint (BERTH_STORAGE_S3_ENDPOINT) must be an http or https URL such as"
                        + " http://127.0.0.1:9000, was '" + uri + "'; leave it empty for AWS");
            }
        });
        if (prefix.startsWith("/")) {
            problems.add("storage.s3.prefix (BERTH_STORAGE_S3_PREFIX) must not start with /, was '" + prefix + "'");
        }
        credentials.ifPresent(pair -> {
            if (pair.accessKey().isBlank() || pair.secretKey().isBlank()) {
                problems.add("storage.s3.accessKey and storage.s3.secretKey must be set together; leave both empty"
                        + " for the SDK's default credentials chain (AWS_ACCESS_KEY_ID, profile, instance role)");
            }
        });
        if (redirectTtl.compareTo(Duration.ofSeconds(1)) < 0 || redirectTtl.compareTo(LONGEST_PRESIGN) > 0) {
            problems.add("storage.s3.redirectTtl (BERTH_STORAGE_S3_REDIRECT_TTL) must be between 1s and 7d"
                    + " (the longest a presigned URL may live), was " + redirectTtl);
        }
        return problems;
    }

    /** {@code s3 bucket/prefix at endpoint}: for logs and {@code /readyz}. */
    public String describe() {
        return "s3 " + bucket + "/" + prefix + endpoint.map(uri -> " at " + uri).orElse(" in " + region);
    }
}
