package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Digest;
import io.berth.oci.Manifest;
import io.berth.oci.Repository;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Placeholders, tagged and untagged targets, subjects. */
class ActionTemplateTest {
    static final Digest DIGEST = Digest.parse("sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0");
    static final Repository REPO = Repository.of("samples/helm/wordpress");
    static final Target TAGGED = Target.of("demo42.example:5000", REPO, "0.1.0", DIGEST);
    static final Target UNTAGGED = Target.of("demo42.example:5000", REPO, null, DIGEST);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {registry} {repository} {name}   | demo42.example:5000 samples/helm/wordpress wordpress | demo42.example:5000 samples/helm/wordpress wordpress
            docker run {reference}           | docker run demo42.example:5000/samples/helm/wordpress:0.1.0 | docker run demo42.example:5000/samples/helm/wordpress@sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0
            pull {registry}/{repository}@{digest} | pull demo42.example:5000/samples/helm/wordpress@sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0 | pull demo42.example:5000/samples/helm/wordpress@sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0
            helm pull oci://{registry}/{repository} --version {tag} | helm pull oci://demo42.example:5000/samples/helm/wordpress --version 0.1.0 | <skipped>
            echo {} { "a": 1 } { x }         | echo {} { "a": 1 } { x }                        | echo {} { "a": 1 } { x }
            """)
    void rendersForTaggedAndUntaggedTargets(String command, String tagged, String untagged) {
        ActionTemplate template = ActionTemplate.of("Act", command);

        assertThat(template.render(TAGGED).map(ActionTemplate.Action::command)).contains(tagged);
        assertThat(template.render(UNTAGGED).map(ActionTemplate.Action::command).orElse("<skipped>")).isEqualTo(untagged);
    }

    @Test
    void theUntaggedFormReplacesATagOnlyCommand() {
        ActionTemplate template = new ActionTemplate("Use", "source = \"oci://{registry}/{repository}?tag={tag}\"",
                Optional.of("source = \"oci://{registry}/{repository}?digest={digest}\""));

        assertThat(template.render(TAGGED).orElseThrow().command())
                .isEqualTo("source = \"oci://demo42.example:5000/samples/helm/wordpress?tag=0.1.0\"");
        assertThat(template.render(UNTAGGED).orElseThrow().command())
                .isEqualTo("source = \"oci://demo42.example:5000/samples/helm/wordpress?digest=" + DIGEST + "\"");
        assertThat(template.placeholders()).containsExactly("registry", "repository", "tag", "digest");
    }

    @Test
    void theSubjectComesFromTheManifestOrFromACosignTag() {
        ActionTemplate verify = ActionTemplate.of("Verify", "cosign verify --key cosign.pub {subject}");
        String subject = "sha256:b31f42077298be91607bd273b25a75876877b8cbecb1278fc559cb593e5c0d50";
        Manifest referrer = TypeFixtures.fixtureManifest("notation-signature");

        assertThat(verify.render(TAGGED)).isEmpty();
        assertThat(verify.render(Target.of("r.example", REPO, subject.replace(':', '-') + ".sig", DIGEST)))
                .map(ActionTemplate.Action::command).contains("cosign verify --key cosign.pub r.example/samples/helm/wordpress@" + subject);
        assertThat(verify.render(Target.of("r.example", REPO, null, DIGEST, referrer)))
                .map(ActionTemplate.Action::command).contains("cosign verify --key cosign.pub r.example/samples/helm/wordpress@" + subject);
        assertThat(Target.of("r.example", REPO, "sha256-1234.sig", DIGEST).subject()).isEmpty();
    }

    @Test
    void unknownPlaceholdersAreRefusedWhenTheTemplateIsMade() {
        assertThatThrownBy(() -> ActionTemplate.of("Go", "go {{x}}")).hasMessageContaining("unknown placeholder {x}");
        assertThatThrownBy(() -> new ActionTemplate("Go", "go {tag}", Optional.of("go {tag}")))
                .hasMessageContaining("must not use {tag}");
    }

    @Test
    void targetsAreValidatedSoCommandsNeedNoQuoting() {
        assertThat(Target.of("[::1]:5000", REPO, null, DIGEST).registry()).isEqualTo("[::1]:5000");
        assertThat(Target.of("localhost", REPO, null, DIGEST).name()).isEqualTo("wordpress");
        assertThatThrownBy(() -> Target.of("evil.example; rm -rf /", REPO, null, DIGEST))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.of("r.example", REPO, "$(reboot)", DIGEST))
                .hasMessageContaining("invalid tag");
    }
}
