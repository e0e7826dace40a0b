package io.berth.server.blob;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The few object calls the S3 driver makes, on one bucket, with the configured server-side encryption on every
 * object it writes. A missing key is an empty {@link Optional} or a {@link NoSuchFileException}, as on a file system.
 */
final class S3Bucket {
    final S3Client client;
    final String name;
    final S3Keys keys;
    private final S3Config.ServerSideEncryption encryption;

    S3Bucket(S3Client client, S3Config config) {
        this.client = client;
        this.name = config.bucket();
        this.keys = new S3Keys(config.prefix());
        this.encryption = config.serverSideEncryption();
    }

    /** The encryption to ask for on objects this driver creates, or null for the bucket's default. */
    ServerSideEncryption encryption() {
        return encryption == S3Config.ServerSideEncryption.NONE ? null : ServerSideEncryption.fromValue(encryption.header());
    }

    static boolean missing(SdkException e) {
        return e instanceof S3Exception s3 && (s3.statusCode() == 404);
    }

    static UncheckedIOException noSuchKey(String key) {
        return new UncheckedIOException(new NoSuchFileException(key));
    }

    Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(client.headObject(b -> b.bucket(name).key(key)));
        } catch (SdkException e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Optional<byte[]> bytes(String key) {
        try {
            ResponseBytes<GetObjectResponse> bytes = client.getObjectAsBytes(b -> b.bucket(name).key(key));
            return Optional.of(bytes.asByteArrayUnsafe());
        } catch (SdkException e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code length} bytes from {@code offset}: a range GET, streamed; throws NoSuchFileException (wrapped) if missing. */
    InputStream read(String key, long offset, long length) {
        if (length == 0) {
            head(key).orElseThrow(() -> noSuchKey(key));
            return InputStream.nullInputStream();
        }
        try {
            return client.getObject(b -> b.bucket(name).key(key).range("bytes=" + offset + "-" + (offset + length - 1)));
        } catch (SdkException e) {
            if (missing(e)) {
                throw noSuchKey(key);
            }
            throw e;
        }
    }

    /** Writes the object whole; returns its ETag. */
    String put(String key, byte[] bytes, int length) {
        return put(key, S3PartBody.of(bytes, length), length);
    }

    String put(String key, RequestBody body, long length) {
        return put(key, body, length, Map.of());
    }

    /** Writes the object whole with user metadata ({@code x-amz-meta-*}); returns its ETag. */
    String put(String key, RequestBody body, long length, Map<String, String> metadata) {
        PutObjectRequest request = PutObjectRequest.builder().bucket(name).key(key).contentLength(length)
                .metadata(metadata).serverSideEncryption(encryption()).build();
        return client.putObject(request, body).eTag();
    }

    /**
     * A server-side copy (up to 5 GiB), only while the source has the ETag {@code ifMatch} unless that is null, with
     * new user metadata unless that is null (then the source's); returns the new object's ETag.
     */
    String copy(String source, String target, String ifMatch, Map<String, String> metadata) {
        CopyObjectRequest.Builder request = CopyObjectRequest.builder().sourceBucket(name).sourceKey(source)
                .destinationBucket(name).destinationKey(target).copySourceIfMatch(ifMatch)
                .serverSideEncryption(encryption());
        if (metadata != null) {
            request.metadataDirective(MetadataDirective.REPLACE).metadata(metadata);
        }
        return client.copyObject(request.build()).copyObjectResult().eTag();
    }

    /** Removes the object; S3 answers the same whether it existed or not. */
    void delete(String key) {
        client.deleteObject(b -> b.bucket(name).key(key));
    }

    /** Every object under {@code prefix}, fetched a page (1,000 keys) at a time as the stream is read. */
    Stream<S3Object> list(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(name).prefix(prefix)).contents().stream();
    }
}
