package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.blob.S3Config;
import io.berth.server.blob.StorageDriverConfig;
import io.berth.server.startup.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageDriverSettingsTest {
    @TempDir
    Path dir;

    private BerthConfig load(String yaml, Map<String, String> environment) throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(file)),
                environment);
    }

    @Test
    void theFilesystemIsTheDefault() throws Exception {
        assertThat(load("listen: 127.0.0.1:5000\n", Map.of()).storageDriver()).isEqualTo(StorageDriverConfig.FILESYSTEM);
        assertThat(StorageDriverConfig.FILESYSTEM.name()).isEqualTo("filesystem");
    }

    @Test
    void everyS3KeyComesFromTheFileAndTheEnvironmentWins() throws Exception {
        BerthConfig config = load("""
                storage:
                  driver: s3
                  s3:
                    endpoint: http://127.0.0.1:9000
                    region: eu-west-1
                    bucket: from-file
                    prefix: registry
                    pathStyle: true
                    accessKey: AKIA
                    secretKey: very-secret
                    serverSideEncryption: aws:kms
                    redirect: true
                    redirectTtl: 5m
                """, Map.of("BERTH_STORAGE_S3_BUCKET", "from-env", "BERTH_STORAGE_S3_REDIRECT_TTL", "90s"));
        S3Config s3 = (S3Config) config.storageDriver();
        assertThat(s3.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
        assertThat(s3.region()).isEqualTo("eu-west-1");
        assertThat(s3.bucket()).isEqualTo("from-env");
        assertThat(s3.prefix()).as("normalised to a folder").isEqualTo("registry/");
        assertThat(s3.pathStyle()).isTrue();
        assertThat(s3.credentials()).contains(new S3Config.Credentials("AKIA", "very-secret"));
        assertThat(s3.toString()).contains("AKIA").doesNotContain("very-secret");
        assertThat(s3.serverSideEncryption()).isEqualTo(S3Config.ServerSideEncryption.KMS);
        assertThat(s3.redirect()).isTrue();
        assertThat(s3.redirectTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s3.name()).isEqualTo("s3");
    }

    @Test
    void theExampleOfDocsStorageLoadsAsWritten() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "storage.md"));
        String section = doc.substring(doc.indexOf("## S3 storage"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```", section.indexOf("```yaml") + 7));
        S3Config s3 = (S3Config) load(yaml, Map.of()).storageDriver();
        assertThat(s3.bucket()).isEqualTo("berth");
        assertThat(s3.prefix()).isEqualTo("registry/");
        assertThat(s3.serverSideEncryption()).isEqualTo(S3Config.ServerSideEncryption.AES256);
        assertThat(s3.redirect()).isTrue();
        assertThat(s3.redirectTtl()).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void theEnvironmentAloneCanChooseS3WithTheDefaultCredentialsChain() {
        BerthConfig config = ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(),
                Optional.empty()), Map.of("BERTH_STORAGE_DRIVER", "s3", "BERTH_STORAGE_S3_BUCKET", "berth"));
        S3Config s3 = (S3Config) config.storageDriver();
        assertThat(s3.endpoint()).as("AWS").isEmpty();
        assertThat(s3.region()).isEqualTo("us-east-1");
        assertThat(s3.credentials()).as("the SDK's default chain").isEmpty();
        assertThat(s3.pathStyle()).isFalse();
        assertThat(s3.redirect()).isFalse();
        assertThat(s3.redirectTtl()).isEqualTo(Duration.ofMinutes(20));
        assertThat(s3.describe()).isEqualTo("s3 berth/ in us-east-1");
    }

    @Test
    void eachMistakeIsOneLineNamingItsKeyAndTheFix() {
        assertThatThrownBy(() -> load("""
                storage:
                  driver: s3
                  s3:
                    endpoint: ftp://store
                    accessKey: only-half
                    serverSideEncryption: rot13
                    redirectTtl: 30d
                    colour: blue
                """, Map.of())).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).startsWith("storage.s3: unknown key 'colour'"))
                .anySatisfy(p -> assertThat(p).startsWith("storage.s3.serverSideEncryption")
                        .contains("AES256 or aws:kms, was 'rot13'"))
                .anySatisfy(p -> assertThat(p).startsWith("storage.s3.bucket (BERTH_STORAGE_S3_BUCKET) must be set"))
                .anySatisfy(p -> assertThat(p).startsWith("storage.s3.endpoint").contains("http://127.0.0.1:9000"))
                .anySatisfy(p -> assertThat(p).startsWith("storage.s3.accessKey and storage.s3.secretKey must be set"
                        + " together"))
                .anySatisfy(p -> assertThat(p).startsWith("storage.s3.redirectTtl").contains("between 1s and 7d"))
                .allSatisfy(p -> assertThat(p).doesNotContain("\n")));
    }

    @Test
    void anUnknownDriverOrAnS3SectionTheFilesystemIgnoresIsAProblem() {
        assertThatThrownBy(() -> load("storage: {driver: gcs}\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "storage.driver (BERTH_STORAGE_DRIVER) must be filesystem or s3, was 'gcs'"));
        assertThatThrownBy(() -> load("storage: {s3: {bucket: berth}}\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p).startsWith("storage.s3 is set but storage.driver is filesystem")));
    }
}
