package io.berth.client.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.client.ClientOptions;
import io.berth.client.RegistryClientException;
import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.artifact.FileSpec;
import io.berth.client.artifact.PushSpec;
import io.berth.client.artifact.TransferListener;
import io.berth.client.testing.AuthProxy;
import io.berth.client.testing.TestFiles;
import io.berth.client.testing.TestProxy;
import io.berth.client.testing.TestRegistry;
import io.berth.oci.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client behind a registry that wants bearer tokens or basic credentials (a proxy in front of Berth plays the
 * auth server): challenge, token request with the right scope and credentials, retry, token cache, refresh on 401,
 * refusals as {@code UNAUTHORIZED}; credentials from a docker config file.
 */
class AuthFlowTest {
    @TempDir
    static Path data;
    static TestRegistry berth;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        berth = TestRegistry.berth(data);
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    private static Artifacts artifacts(CredentialSource credentials) {
        return Artifacts.create(ClientOptions.defaults().withPlainHttp(true).withCredentials(credentials));
    }

    private PushSpec files(long seed) throws Exception {
        return PushSpec.of("application/vnd.example.test",
                List.of(FileSpec.parse(TestFiles.random(work.resolve("f" + seed + ".bin"), 5000, seed).toString())));
    }

    @Test
    void bearerTokensAreFetchedWithTheScopeAndCredentialsThenCachedAndRefreshed() throws Exception {
        AuthProxy auth = AuthProxy.bearer("alice", "s3cret", false);
        try (TestProxy proxy = TestProxy.start(berth.host(), auth);
             Artifacts artifacts = artifacts(CredentialSource.of(proxy.host(), Credentials.basic("alice", "s3cret")))) {
            auth.realm(proxy.host());
            ArtifactRef ref = ArtifactRef.parse(proxy.host() + "/secured/app:1.0");

            artifacts.push(ref, files(31), TransferListener.NONE);
            assertThat(auth.tokenRequests()).isNotEmpty().allSatisfy(t -> {
                assertThat(t.user()).contains("alice");
                assertThat(t.scopes()).allMatch(s -> s.startsWith("repository:secured/app:"));
            });
            assertThat(auth.tokenRequests()).anyMatch(t -> t.scopes().contains("repository:secured/app:pull,push"));

            int afterFirstPush = auth.tokenRequests().size();
            artifacts.push(ref.with(new io.berth.oci.Reference.Tag("1.1")), files(32), TransferListener.NONE);
            assertThat(auth.tokenRequests()).as("tokens are cached per scope").hasSize(afterFirstPush);

            auth.revokeAll();
            List<Path> pulled = artifacts.pull(ref, work.resolve("out"), Optional.empty(), TransferListener.NONE);
            assertThat(pulled).hasSize(1);
            assertThat(pulled.get(0)).hasSameBinaryContentAs(work.resolve("f31.bin"));
            assertThat(auth.tokenRequests()).as("a refused token is refreshed").hasSizeGreaterThan(afterFirstPush);
        }
    }

    @Test
    void anonymousTokensAllowPullsAndAPushIsRefusedAsUnauthorized() throws Exception {
        AuthProxy auth = AuthProxy.bearer("alice", "s3cret", true);
        try (TestProxy proxy = TestProxy.start(berth.host(), auth);
             Artifacts owner = artifacts(CredentialSource.of(proxy.host(), Credentials.basic("alice", "s3cret")));
             Artifacts anonymous = artifacts(CredentialSource.anonymous())) {
            auth.realm(proxy.host());
            ArtifactRef ref = ArtifactRef.parse(proxy.host() + "/public/app:1.0");
            owner.push(ref, files(33), TransferListener.NONE);

            assertThat(anonymous.pull(ref, work.resolve("anon"), Optional.empty(), TransferListener.NONE)).hasSize(1);
            assertThat(auth.tokenRequests()).anyMatch(t -> t.user().isEmpty() && t.scopes().equals(List.of("repository:public/app:pull")));

            assertThatThrownBy(() -> anonymous.push(ref.with(new io.berth.oci.Reference.Tag("2.0")), files(34), TransferListener.NONE))
                    .isInstanceOfSatisfying(RegistryClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                        assertThat(e.isAuth()).isTrue();
                        assertThat(e.getMessage()).contains("berth login");
                    });
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheTokenServer() throws Exception {
        AuthProxy auth = AuthProxy.bearer("alice", "s3cret", false);
        try (TestProxy proxy = TestProxy.start(berth.host(), auth);
             Artifacts artifacts = artifacts(CredentialSource.of(proxy.host(), Credentials.basic("alice", "wrong")))) {
            auth.realm(proxy.host());
            assertThatThrownBy(() -> artifacts.push(ArtifactRef.parse(proxy.host() + "/secured/app:1.0"), files(35),
                    TransferListener.NONE))
                    .isInstanceOfSatisfying(RegistryClientException.class, e -> assertThat(e.isAuth()).isTrue());
        }
    }

    @Test
    void basicCredentialsAreSentAfterABasicChallengeAndWrongOnesAreRefused() throws Exception {
        AuthProxy auth = AuthProxy.basic("bob", "pw");
        try (TestProxy proxy = TestProxy.start(berth.host(), auth);
             Artifacts good = artifacts(CredentialSource.of(proxy.host(), Credentials.basic("bob", "pw")));
             Artifacts bad = artifacts(CredentialSource.of(proxy.host(), Credentials.basic("bob", "nope")))) {
            ArtifactRef ref = ArtifactRef.parse(proxy.host() + "/basic/app:1.0");
            good.push(ref, files(36), TransferListener.NONE);
            assertThat(good.pull(ref, work.resolve("out"), Optional.empty(), TransferListener.NONE)).hasSize(1);
            long unauthenticated = proxy.requests().stream().filter(r -> r.header("Authorization").isEmpty()).count();
            assertThat(unauthenticated).as("after the first challenge, credentials go up front").isEqualTo(1);

            assertThatThrownBy(() -> bad.pull(ref, work.resolve("bad"), Optional.empty(), TransferListener.NONE))
                    .isInstanceOfSatisfying(RegistryClientException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                        assertThat(e.status()).isEqualTo(401);
                    });
        }
    }

    @Test
    void credentialsComeFromADockerConfigFile() throws Exception {
        AuthProxy auth = AuthProxy.bearer("carol", "pa:ss", false);
        try (TestProxy proxy = TestProxy.start(berth.host(), auth)) {
            auth.realm(proxy.host());
            Path config = work.resolve("config.json");
            Files.writeString(config, "{\"auths\":{\"http://" + proxy.host() + "/\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("carol:pa:ss".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
            try (Artifacts artifacts = artifacts(DockerConfig.file(config, Map.of()))) {
                artifacts.push(ArtifactRef.parse(proxy.host() + "/from/config:1.0"), files(37), TransferListener.NONE);
            }
            assertThat(auth.tokenRequests()).allMatch(t -> t.user().equals(Optional.of("carol")));
        }
    }
}
