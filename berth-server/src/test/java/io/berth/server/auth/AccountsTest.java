package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.berth.server.auth.AuthConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unknown user name is checked against a dummy hash of the cost the accounts' hashes have, so that it takes as
 * long as a wrong password; the cost follows the htpasswd file when it is reloaded. (The cost is read from the dummy
 * hash itself: bcrypt's time is a function of it, and timings are not asserted.)
 */
class AccountsTest {
    @TempDir
    Path dir;

    private static String hash(int cost, String password) {
        return BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(cost, password.toCharArray());
    }

    private static void write(Path file, String content, long modifiedSeconds) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(modifiedSeconds)));
    }

    @Test
    void theDummyHashHasTheCostOfTheLoadedEntriesAndFollowsReloads() throws Exception {
        Path file = dir.resolve("htpasswd");
        write(file, "alice:" + hash(5, "a") + "\nbob:" + hash(5, "b") + "\n", 1_000);
        WatchedFile<Htpasswd> htpasswd = WatchedFile.load(file, "htpasswd file", Htpasswd::parse);
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(file)
                .withRobots(List.of(new AuthConfig.Robot("ci", hash(4, "t"), List.of(AuthSetup.users("ci/*", List.of(), "pull")))));
        Accounts accounts = new Accounts(htpasswd, auth, Policies.of(auth));

        assertThat(accounts.login("nobody", "guess")).isEmpty();
        assertThat(accounts.dummy().cost()).as("two entries of cost 5 against one robot of cost 4").isEqualTo(5);
        assertThat(accounts.login("alice", "a")).isPresent();

        write(file, "carol:" + hash(6, "c") + "\ndave:" + hash(6, "d") + "\nerin:" + hash(5, "e") + "\n", 2_000);
        assertThat(htpasswd.poll()).isTrue();

        assertThat(accounts.login("nobody", "guess")).isEmpty();
        assertThat(accounts.dummy().cost()).as("after the reload").isEqualTo(6);
        assertThat(accounts.login("alice", "a")).as("alice was removed").isEmpty();
    }

    @Test
    void theUsualCostIsTheMostCommonTheHighestOnATieAndTheDefaultWithoutEntries() {
        assertThat(DummyHash.usualCost(List.of(hash(4, "x"), hash(5, "y")))).isEqualTo(5);
        assertThat(DummyHash.usualCost(List.of(hash(4, "x"), hash(4, "y"), hash(5, "z")))).isEqualTo(4);
        assertThat(DummyHash.usualCost(List.of())).isEqualTo(DummyHash.DEFAULT_COST);
        assertThat(DummyHash.cost("$2a$12$" + "x".repeat(53))).hasValue(12);
        assertThat(DummyHash.cost("$apr1$abc")).isEmpty();
        assertThat(DummyHash.cost(null)).isEmpty();
    }
}
