package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.immutability.ImmutabilityConfig;
import io.berth.server.immutability.ImmutabilityRule;
import io.berth.server.log.LogConfig;
import io.berth.server.meta.Quota;
import io.berth.server.quota.QuotaRule;
import io.berth.server.quota.QuotasConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Berth's own CLI meets an immutable tag and a quota: it fails and prints the registry's explanation. */
class PolicyCliTest {
    @TempDir
    static Path data;
    static BerthServer server;
    static String registry;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        server = BerthServer.start(BerthConfig.defaults(data).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false))
                .withImmutability(new ImmutabilityConfig(List.of(new ImmutabilityRule(0,
                        List.of(RepositoryGlob.of("cli/release")), Optional.of(Pattern.compile("^v")), Set.of()))))
                .withQuotas(new QuotasConfig(List.of(new QuotaRule(0, Quota.Scope.Kind.REPOSITORY,
                        List.of(RepositoryGlob.of("cli/tiny")), OptionalLong.of(100), OptionalLong.empty())))));
        registry = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void pushingAnotherDigestToAnImmutableTagOrDeletingItFailsWithTheRule() throws Exception {
        Path first = Files.writeString(work.resolve("first.txt"), "first\n");
        Path second = Files.writeString(work.resolve("second.txt"), "second\n");
        String ref = registry + "/cli/release:v1";
        CliRun pushed = CliRun.run("push", "--plain-http", ref, first + ":text/plain");
        assertThat(pushed.exitCode()).as(pushed.toString()).isZero();

        CliRun refused = CliRun.run("push", "--plain-http", ref, second + ":text/plain");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).contains("tag v1 in cli/release is immutable (immutability.rules[0]: repositories"
                + " cli/release, tags ^v): it points at sha256:");

        CliRun delete = CliRun.run("delete", "--plain-http", ref);
        assertThat(delete.exitCode()).as(delete.toString()).isNotZero();
        assertThat(delete.err()).contains("tag v1 in cli/release is immutable");
    }

    @Test
    void pushingOverAQuotaFailsWithUsageAndLimit() throws Exception {
        Path big = Files.write(work.resolve("big.bin"), new byte[500]);
        CliRun refused = CliRun.run("push", "--plain-http", registry + "/cli/tiny:1", big + ":application/octet-stream");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).containsPattern("quota exceeded for repository cli/tiny: \\d+ B of 100 B stored"
                + " \\(quotas\\[0\\]\\); blob sha256:[0-9a-f]{64} adds 500 B");
    }
}
