package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration examples of the README's "Authorization" section load as written and mean what it says. */
class ReadmeExamplesTest {
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    static List<String> examples() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int section = text.indexOf("\n## Authorization\n");
        assertThat(section).as("README has an Authorization section").isPositive();
        int end = text.indexOf("\n## ", section + 5);
        Matcher matcher = YAML_BLOCK.matcher(end < 0 ? text.substring(section) : text.substring(section, end));
        List<String> blocks = new ArrayList<>();
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }

    BerthConfig load(String yaml) throws IOException {
        Path file = Files.writeString(Files.createTempFile(dir, "example", ".yaml"), yaml);
        return ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.of(dir.resolve("data")), Optional.of(file)), Map.of());
    }

    @Test
    void everyExampleLoads() throws IOException {
        List<String> examples = examples();
        assertThat(examples).hasSize(3);
        for (String example : examples) {
            try {
                assertThat(load(example).auth().enabled()).as(example).isTrue();
            } catch (ConfigException e) {
                throw new AssertionError("README example does not load:\n" + example + "\n" + e.getMessage(), e);
            }
        }
    }

    @Test
    void theFullExampleMeansWhatTheReadmeSays() throws IOException {
        BerthConfig config = load(examples().get(0));
        Policies policies = Policies.of(config.auth());
        Subject alice = new Subject("alice", Subject.Kind.USER, policies.groupsOf("alice"));
        Subject bob = new Subject("bob", Subject.Kind.USER, policies.groupsOf("bob"));
        Subject carol = new Subject("carol", Subject.Kind.USER, policies.groupsOf("carol"));
        Subject admin = new Subject("admin", Subject.Kind.USER, policies.groupsOf("admin"));
        Subject robot = new Subject("robot$ci", Subject.Kind.ROBOT, java.util.Set.of());

        assertThat(config.port()).isEqualTo(5443);
        assertThat(config.tls().enabled()).isTrue();
        assertThat(config.tls().http2()).isFalse();
        assertThat(load(examples().get(0).replace("http2: false", "http2: true")).tls().http2()).isTrue();
        assertThat(config.auth().token().service()).isEqualTo("registry.example.com");
        assertThat(policies.allowed(Subject.ANONYMOUS, "samples/hello")).containsExactly(Action.PULL);
        assertThat(policies.allowed(Subject.ANONYMOUS, "team-a/app")).isEmpty();
        assertThat(policies.allowed(bob, "team-a/app")).containsExactly(Action.PULL, Action.PUSH);
        assertThat(policies.allowed(bob, "team-a/app/web")).containsExactly(Action.PULL, Action.PUSH);
        assertThat(policies.allowed(alice, "team-a/app")).containsExactly(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(policies.allowed(carol, "team-a/app")).isEmpty();
        assertThat(policies.allowed(admin, "anything/else")).containsExactly(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(policies.allowed(robot, "team-a/app")).containsExactly(Action.PULL, Action.PUSH);
        assertThat(policies.allowed(robot, "other/app")).isEmpty();
        Accounts accounts = new Accounts(() -> Htpasswd.EMPTY, config.auth(), policies);
        assertThat(accounts.login("robot$ci", "berth_robot_ci_example_token")).map(Subject::name).hasValue("robot$ci");
    }

    @Test
    void theProxyExampleAllowsPlainHttpAndWithoutItBerthRefusesToStart() throws IOException {
        String proxied = examples().get(2);
        assertThat(load(proxied).tls().allowPlainHttpAuth()).isTrue();
        String plain = proxied.replace("tls:\n  allowPlainHttpAuth: true\n", "");
        try {
            load(plain);
            throw new AssertionError("expected a refusal");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("authorization over plain HTTP on 0.0.0.0");
        }
    }
}
