package io.berth.server.blob;

import io.berth.oci.Digest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Blobs in an S3 bucket (AWS, or any S3-compatible store: MinIO, Ceph, s3proxy), shared by every node of a cluster.
 * Keys under the configured prefix are laid out as {@link S3Keys} shows; uploads are S3 multipart uploads, spooled
 * between requests as {@link S3Uploads} describes. Calls block (the SDK's synchronous client on Apache HttpClient),
 * except {@link #append}, whose parts go up on the {@value #WORKERS_NAME} worker pool. Each streaming append holds
 * up to one part (5 MiB) in memory; a quarter of the heap's worth of them run at once, later ones wait (with
 * bin/berth's 64 MiB heap: three; raise {@code -Xmx} through {@code BERTH_JAVA_OPTS} for more concurrent pushes).
 *
 * <p>A blob is written once by a copy on the server (never read back by Berth) and replaced whole by the next
 * commit of the same digest; its version is a random id its commit stores as user metadata (the ETag of identical
 * bytes would not change). There is no local file: blobs are streamed with range GETs,
 * or, with {@code redirect}, clients are sent to a presigned URL. Free space is the store's business.
 */
public final class S3BlobStore implements BlobStore {
    static final String WORKERS_NAME = "berth-s3";
    private static final int CONNECTIONS = 128;
    /** The part copies of commits and the deletes of their parts, 16 at a time for the whole node (daemon threads). */
    private static final ExecutorService COPIES = Executors.newFixedThreadPool(16, runnable -> {
        Thread thread = new Thread(runnable, "berth-s3-copy");
        thread.setDaemon(true);
        return thread;
    });

    private final S3Config config;
    private final S3Bucket bucket;
    private final S3Uploads uploads;
    private final S3Presigner presigner;
    private final WorkerExecutor workers;
    private final PartBudget budget;
    private final Vertx vertx;

    S3BlobStore(S3Config config, S3Client client, S3Presigner presigner, Vertx vertx, int partSize,
                PartBudget budget) {
        this.config = config;
        this.bucket = new S3Bucket(client, config);
        this.uploads = new S3Uploads(bucket, partSize, COPIES);
        this.presigner = presigner;
        this.workers = vertx.createSharedWorkerExecutor(WORKERS_NAME, 32);
        this.budget = budget;
        this.vertx = vertx;
    }

    /** The store for {@code config}, with 5 MiB parts. */
    public static S3BlobStore open(S3Config config, Vertx vertx) {
        return open(config, vertx, PartBudget.ofHeap(S3Uploads.MIN_PART));
    }

    static S3BlobStore open(S3Config config, Vertx vertx, PartBudget budget) {
        int partSize = S3Uploads.MIN_PART;
        AwsCredentialsProvider credentials = config.credentials()
                .<AwsCredentialsProvider>map(pair -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(pair.accessKey(), pair.secretKey())))
                .orElseGet(DefaultCredentialsProvider::create);
        var client = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)))
                // Checksums only where S3 demands them: the registry verifies every blob's digest itself, and
                // S3-compatible stores do not all take the SDK's newer trailing checksums.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presigner = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
        config.endpoint().ifPresent(endpoint -> {
            client.endpointOverride(endpoint);
            presigner.endpointOverride(endpoint);
        });
        return new S3BlobStore(config, client.build(), presigner.build(), vertx, partSize, budget);
    }

    /** The bucket can be reached with these credentials; otherwise why not, in one line for the start-up report. */
    public static Optional<String> unreachable(S3Config config) {
        try (S3Client client = S3Client.builder().region(Region.of(config.region()))
                .credentialsProvider(config.credentials().<AwsCredentialsProvider>map(pair -> StaticCredentialsProvider
                        .create(AwsBasicCredentials.create(pair.accessKey(), pair.secretKey())))
                        .orElseGet(DefaultCredentialsProvider::create))
                .forcePathStyle(config.pathStyle())
                .applyMutation(b -> config.endpoint().ifPresent(b::endpointOverride))
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(10)))
                .build()) {
            client.headBucket(b -> b.bucket(config.bucket()));
            return Optional.empty();
        } catch (SdkException e) {
            String why = e instanceof software.amazon.awssdk.services.s3.model.S3Exception s3
                    ? "HTTP " + s3.statusCode() + (s3.statusCode() == 404 ? " (no such bucket)" : s3.statusCode() == 403
                    ? " (access denied)" : "") : String.valueOf(e.getMessage());
            return Optional.of("storage.s3.bucket '" + config.bucket() + "' cannot be reached (" + config.describe()
                    + "): " + why + "; create the bucket, or fix storage.s3.endpoint, storage.s3.region and the"
                    + " credentials");
        }
    }

    S3Bucket bucket() {
        return bucket;
    }

    PartBudget budget() {
        return budget;
    }

    S3Uploads uploads() {
        return uploads;
    }

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        return bucket.head(bucket.keys.blob(digest))
                .map(head -> new BlobStat(head.contentLength(), version(head)));
    }

    @Override
    public InputStream read(Digest digest, long offset, long length) {
        return bucket.read(bucket.keys.blob(digest), offset, length);
    }

    /**
     * A presigned GET of the blob's object when {@code storage.s3.redirect} is on, valid for
     * {@code storage.s3.redirectTtl}: the operator's setting wins over the caller's {@code ttl}, which only says what
     * the caller would pick.
     */
    @Override
    public Optional<URI> downloadUrl(Digest digest, Duration ttl) {
        if (!config.redirect()) {
            return Optional.empty();
        }
        String key = bucket.keys.blob(digest);
        return Optional.of(URI.create(presigner.presignGetObject(b -> b.signatureDuration(config.redirectTtl())
                .getObjectRequest(get -> get.bucket(bucket.name).key(key))).url().toString()));
    }

    @Override
    public boolean delete(Digest digest) {
        String key = bucket.keys.blob(digest);
        if (bucket.head(key).isEmpty()) {
            return false;
        }
        bucket.delete(key);
        return true;
    }

    @Override
    public Stream<StoredFile> files() {
        return bucket.list(bucket.keys.blobs()).flatMap(object -> bucket.keys.blobDigest(object.key()).stream()
                .map(digest -> new StoredFile(digest, object.size(), object.lastModified())));
    }

    /** The copy's version as its commit named it, or its ETag for an object Berth did not write. */
    private static Version version(HeadObjectResponse head) {
        return new Version(head.metadata().getOrDefault(S3Uploads.VERSION, head.eTag()));
    }

    /**
     * Copies the bytes aside only while they are still the copy the verifier read (its version; the copy is
     * conditional on the ETag seen with it), then removes them.
     */
    @Override
    public Optional<String> quarantine(Digest digest, Version version) {
        String key = bucket.keys.blob(digest);
        Optional<HeadObjectResponse> head = bucket.head(key);
        if (head.isEmpty() || !version(head.get()).equals(version)) {
            return Optional.empty();
        }
        String target = bucket.keys.quarantine(digest, System.currentTimeMillis());
        try {
            bucket.copy(key, target, head.get().eTag(), null);
        } catch (SdkException e) {
            if (e instanceof software.amazon.awssdk.services.s3.model.S3Exception s3
                    && (s3.statusCode() == 412 || s3.statusCode() == 404)) {
                return Optional.empty(); // replaced or removed meanwhile
            }
            throw e;
        }
        bucket.delete(key);
        return Optional.of("s3://" + bucket.name + "/" + target);
    }

    @Override
    public void createUpload(UUID upload) {
        uploads.create(upload);
    }

    @Override
    public Optional<Long> uploadedLength(UUID upload) {
        return uploads.state(upload).map(S3UploadState::length);
    }

    @Override
    public Future<WriteStream<Buffer>> append(UUID upload, long offset) {
        return S3AppendStream.open(vertx, workers, uploads, budget, upload, offset);
    }

    @Override
    public void write(UUID upload, long offset, byte[] bytes) {
        uploads.append(upload, offset, bytes);
    }

    @Override
    public InputStream readUpload(UUID upload) {
        return uploads.read(upload);
    }

    @Override
    public BlobStat commit(UUID upload, Digest expected, Digest actual) {
        return uploads.commit(upload, expected, actual);
    }

    @Override
    public void cancel(UUID upload) {
        uploads.cancel(upload);
    }

    @Override
    public List<UploadFile> uploadFiles() {
        return uploads.list();
    }

    @Override
    public void checkWritable() {
        String key = bucket.keys.writeCheck();
        bucket.put(key, new byte[] {1}, 1);
        bucket.delete(key);
    }

    @Override
    public OptionalLong usableSpace() {
        return OptionalLong.empty();
    }

    @Override
    public String describe() {
        return config.describe();
    }
}
