package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Endpoint;
import io.berth.oci.Endpoint.Method;
import io.berth.oci.Repository;
import io.berth.server.auth.AuthConfig;
import io.berth.server.auth.AuthConfig.Policy;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Globs, scopes, policies, the route table's access rules and htpasswd parsing: table-driven. */
class PolicyRulesTest {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
            "samples/**, samples/app, true",
            "samples/**, samples/a/b/c, true",
            "samples/**, samples, false",
            "samples/**, samplesx/app, false",
            "team-a/*, team-a/app, true",
            "team-a/*, team-a/app/web, false",
            "team-a/*, team-b/app, false",
            "**, anything/at/all, true",
            "**/base, base, true",
            "**/base, x/y/base, true",
            "**/base, x/base2, false",
            "app, app, true",
            "app, app2, false",
            "a.b/c, axb/c, false",
            "*-cache/**, build-cache/x, true",
    })
    void globs(String glob, String name, boolean matches) {
        assertThat(Glob.compile(glob).matcher(name).matches()).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "repository:samples/app:pull,push | repository:samples/app:pull,push",
            "repository:samples/app:push,pull | repository:samples/app:pull,push",
            "repository:samples/app:* | repository:samples/app:pull,push,delete",
            "repository:localhost:5000/app:pull | ",
            "repository:samples/app:pull,unknown | repository:samples/app:pull",
            "registry:catalog:* | registry:catalog:*",
            "repository:Invalid/Name:pull | ",
            "blob:samples/app:pull | ",
            "nonsense | ",
    })
    void scopes(String text, String parsed) {
        assertThat(Scope.parse(text).map(Scope::toString).orElse(null)).isEqualTo(parsed);
    }

    @Test
    void scopesOfATokenRequestMaySharePartsAndParameters() {
        assertThat(Scope.parseAll(List.of("repository:a:pull repository:b:push", "registry:catalog:*")))
                .extracting(Scope::toString)
                .containsExactly("repository:a:pull", "repository:b:push", "registry:catalog:*");
    }

    static final AuthConfig CONFIG = AuthConfig.NONE
            .withGroups(Map.of("team-a", List.of("alice", "bob")))
            .withPolicies(List.of(
                    new Policy(List.of("samples/**"), List.of(), List.of(), true, List.of("pull")),
                    new Policy(List.of("team-a/*"), List.of(), List.of("team-a"), false, List.of("pull", "push")),
                    new Policy(List.of("team-a/*"), List.of("alice"), List.of(), false, List.of("delete")),
                    new Policy(List.of("**"), List.of("*"), List.of(), false, List.of("pull")),
                    new Policy(List.of("admin/**"), List.of("root"), List.of(), false, List.of("*"))))
            .withRobots(List.of(new AuthConfig.Robot("ci", AuthSetup.bcrypt("t"),
                    List.of(new Policy(List.of("ci/**"), List.of(), List.of(), false, List.of("push"))))));
    static final Policies POLICIES = Policies.of(CONFIG);

    static Subject user(String name) {
        return new Subject(name, Subject.Kind.USER, POLICIES.groupsOf(name));
    }

    @ParameterizedTest(name = "{0} on {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "           | samples/app | pull",
            "           | team-a/app  | ",
            "alice      | team-a/app  | pull,push,delete",
            "bob        | team-a/app  | pull,push",
            "carol      | team-a/app  | pull",
            "carol      | samples/x/y | pull",
            "root       | admin/db    | pull,push,delete",
            "bob        | admin/db    | pull",
            "robot$ci   | ci/build    | push",
            "robot$ci   | samples/app | pull",
            "robot$ci   | team-a/app  | ",
    })
    void policiesAddUp(String name, String repository, String actions) {
        Subject subject = name == null ? Subject.ANONYMOUS
                : name.startsWith("robot$") ? new Subject(name, Subject.Kind.ROBOT, Set.of()) : user(name);
        Set<Action> expected = EnumSet.noneOf(Action.class);
        if (actions != null) {
            for (String action : actions.split(",")) {
                expected.addAll(Action.parse(action));
            }
        }
        assertThat(POLICIES.allowed(subject, repository)).isEqualTo(expected);
        assertThat(POLICIES.readable(subject).test(Repository.of(repository))).isEqualTo(expected.contains(Action.PULL));
    }

    @Test
    void withoutPoliciesEveryUserMayDoEverythingAndAnonymousNothing() {
        Policies quickStart = Policies.of(AuthConfig.NONE.withHtpasswd(java.nio.file.Path.of("htpasswd")));
        assertThat(quickStart.allowed(user("anyone"), "any/repo")).containsExactlyInAnyOrder(Action.values());
        assertThat(quickStart.allowed(Subject.ANONYMOUS, "any/repo")).isEmpty();
        assertThat(quickStart.mayList(Subject.ANONYMOUS)).isFalse();
        assertThat(quickStart.mayList(user("anyone"))).isTrue();
    }

    @Test
    void anAdminHasEveryActionOnEveryRepositoryByARuleOfItsOwn() {
        Policies policies = Policies.of(AuthConfig.NONE.withHtpasswd(java.nio.file.Path.of("htpasswd")).withPolicies(List.of(
                AuthSetup.users("**", List.of("root"), "*"),
                AuthSetup.users("**", List.of("puller"), "pull", "push"),
                AuthSetup.users("team/**", List.of("lead"), "*"),
                AuthSetup.anonymous("**", "*"))));

        assertThat(policies.isAdmin(user("root"))).isTrue();
        assertThat(policies.isAdmin(user("puller"))).as("not every action").isFalse();
        assertThat(policies.isAdmin(user("lead"))).as("not every repository").isFalse();
        assertThat(policies.isAdmin(Subject.ANONYMOUS)).as("anonymous never, whatever anonymous may do").isFalse();
        Policies quickStart = Policies.of(AuthConfig.NONE.withHtpasswd(java.nio.file.Path.of("htpasswd")));
        assertThat(quickStart.isAdmin(user("anyone"))).as("without policies every user does everything").isTrue();
    }

    @Test
    void theAdminScopeIsParsedLikeTheCatalog() {
        assertThat(Scope.parse("registry:admin:*")).contains(Scope.ADMIN);
        assertThat(Scope.ADMIN.toString()).isEqualTo("registry:admin:*");
        assertThat(Scope.ADMIN.isRegistry()).isTrue();
        assertThat(Scope.CATALOG.isAdmin()).isFalse();
    }

    @Test
    void htpasswdAcceptsBcryptEntriesOnly() {
        // written by `htpasswd -nbB alice alice-pw` and `htpasswd -nbBC 5 bob bob-pw` (apache2-utils 2.4)
        String file = """
                # users
                alice:$2y$05$Hkf32WSlruPyJY7tTG0HQe2Epwgsm8ZokCJtdV7lWTD8KLg1X1MHG

                bob:$2y$05$VfdWryshIrY3aEBszo8BdexDVpb7x/JJ7KxBBM.e8Z25spFv8UBbG
                carol:$apr1$yq4jTFAC$ZQkmXUJHDVn8GDtYP/1j6.
                no colon here
                """;
        Htpasswd htpasswd = Htpasswd.parse(file.getBytes(StandardCharsets.UTF_8));

        assertThat(htpasswd.hashes()).containsOnlyKeys("alice", "bob");
        assertThat(htpasswd.problems()).hasSize(2);
        assertThat(htpasswd.problems().get(0)).contains("carol").doesNotContain("$apr1$");
        Accounts accounts = new Accounts(() -> htpasswd, AuthConfig.NONE, POLICIES);
        assertThat(accounts.login("alice", "alice-pw")).map(Subject::name).hasValue("alice");
        assertThat(accounts.login("bob", "bob-pw")).isPresent();
        assertThat(accounts.login("alice", "bob-pw")).isEmpty();
        assertThat(accounts.login("carol", "anything")).isEmpty();
        assertThat(accounts.login("nobody", "alice-pw")).isEmpty();
        assertThat(accounts.login("alice", "x".repeat(100))).as("over 72 bytes is checked, not an error").isEmpty();
    }

    @Test
    void credentialsHeaders() {
        assertThat(Credentials.parse(java.util.Optional.empty())).isInstanceOf(Credentials.None.class);
        assertThat(Credentials.parse(java.util.Optional.of(AuthHttp.basic("a", "b:c"))))
                .isEqualTo(new Credentials.Basic("a", "b:c"));
        assertThat(Credentials.parse(java.util.Optional.of("bearer abc"))).isEqualTo(new Credentials.Bearer("abc"));
        assertThat(Credentials.parse(java.util.Optional.of("Basic !!!"))).isInstanceOf(Credentials.Malformed.class);
        assertThat(Credentials.parse(java.util.Optional.of("Digest x"))).isInstanceOf(Credentials.Malformed.class);
        assertThat(new Credentials.Basic("a", "secret").toString()).doesNotContain("secret");
    }
}
