package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.blob.S3Config;
import io.berth.server.blob.StorageDriverConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code storage.driver} and {@code storage.s3}: where blob bytes live. Each key has its environment variable
 * ({@code BERTH_STORAGE_DRIVER}, {@code BERTH_STORAGE_S3_BUCKET}, …), which wins over the file, as everywhere else.
 */
final class StorageDriverSettings {
    private static final Set<String> S3_KEYS = Set.of("endpoint", "region", "bucket", "prefix", "pathStyle",
            "accessKey", "secretKey", "serverSideEncryption", "redirect", "redirectTtl");

    private StorageDriverSettings() {
    }

    static StorageDriverConfig driver(JsonNode file, ConfigLoader.Layers layers, List<String> problems) {
        JsonNode storage = file == null ? null : file.get("storage");
        JsonNode s3Section = storage == null || !storage.isObject() ? null : storage.get("s3");
        if (s3Section != null && !s3Section.isNull()) {
            if (s3Section.isObject()) {
                YamlNodes.unknownKeys(s3Section, S3_KEYS, "storage.s3", problems);
            } else {
                problems.add("storage.s3 must be a mapping of " + S3_KEYS.stream().sorted().toList());
            }
        }
        String driver = layers.text("storage.driver", "BERTH_STORAGE_DRIVER").orElse("filesystem").trim()
                .toLowerCase(Locale.ROOT);
        switch (driver) {
            case "filesystem" -> {
                if (s3Section != null && s3Section.isObject() && s3Section.size() > 0) {
                    problems.add("storage.s3 is set but storage.driver is filesystem: set storage.driver: s3"
                            + " (BERTH_STORAGE_DRIVER=s3) to keep blobs in the bucket, or remove storage.s3");
                }
                return StorageDriverConfig.FILESYSTEM;
            }
            case "s3" -> {
                return s3(layers, problems);
            }
            default -> {
                problems.add("storage.driver (BERTH_STORAGE_DRIVER) must be filesystem or s3, was '" + driver + "'");
                return StorageDriverConfig.FILESYSTEM;
            }
        }
    }

    private static S3Config s3(ConfigLoader.Layers layers, List<String> problems) {
        Optional<URI> endpoint = nonEmpty(layers, "storage.s3.endpoint", "BERTH_STORAGE_S3_ENDPOINT").flatMap(text -> {
            try {
                return Optional.of(new URI(text.trim()));
            } catch (URISyntaxException e) {
                problems.add("storage.s3.endpoint (BERTH_STORAGE_S3_ENDPOINT) must be a URL such as"
                        + " http://127.0.0.1:9000, was '" + text + "'");
                return Optional.empty();
            }
        });
        Optional<String> accessKey = nonEmpty(layers, "storage.s3.accessKey", "BERTH_STORAGE_S3_ACCESS_KEY");
        Optional<String> secretKey = nonEmpty(layers, "storage.s3.secretKey", "BERTH_STORAGE_S3_SECRET_KEY");
        Optional<S3Config.Credentials> credentials = accessKey.isPresent() || secretKey.isPresent()
                ? Optional.of(new S3Config.Credentials(accessKey.orElse(""), secretKey.orElse("")))
                : Optional.empty();
        String encryptionText = layers.text("storage.s3.serverSideEncryption", "BERTH_STORAGE_S3_SERVER_SIDE_ENCRYPTION")
                .orElse("");
        S3Config.ServerSideEncryption encryption = S3Config.ServerSideEncryption.parse(encryptionText).orElseGet(() -> {
            problems.add("storage.s3.serverSideEncryption (BERTH_STORAGE_S3_SERVER_SIDE_ENCRYPTION) must be empty,"
                    + " AES256 or aws:kms, was '" + encryptionText + "'");
            return S3Config.ServerSideEncryption.NONE;
        });
        return new S3Config(endpoint,
                nonEmpty(layers, "storage.s3.region", "BERTH_STORAGE_S3_REGION").orElse("us-east-1"),
                nonEmpty(layers, "storage.s3.bucket", "BERTH_STORAGE_S3_BUCKET").orElse(""),
                layers.text("storage.s3.prefix", "BERTH_STORAGE_S3_PREFIX").orElse("").trim(),
                layers.bool("storage.s3.pathStyle", "BERTH_STORAGE_S3_PATH_STYLE", problems).orElse(false),
                credentials, encryption,
                layers.bool("storage.s3.redirect", "BERTH_STORAGE_S3_REDIRECT", problems).orElse(false),
                layers.duration("storage.s3.redirectTtl", "BERTH_STORAGE_S3_REDIRECT_TTL", problems)
                        .orElse(S3Config.DEFAULT_REDIRECT_TTL));
    }

    private static Optional<String> nonEmpty(ConfigLoader.Layers layers, String key, String variable) {
        return layers.text(key, variable).map(String::trim).filter(text -> !text.isEmpty());
    }
}
