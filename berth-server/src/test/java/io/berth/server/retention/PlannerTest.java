package io.berth.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.meta.ImmutableTags;
import io.berth.server.meta.RepositorySnapshot;
import io.berth.server.meta.RepositorySnapshot.ManifestRow;
import io.berth.server.meta.RepositorySnapshot.TagRow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The planner on hand-made repositories: one test per selector, keep-rule precedence, and how index children,
 * referrers and cosign-scheme tags follow what they belong to.
 */
class PlannerTest {
    static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");
    static final Repository REPO = Repository.of("team/app");
    static final Set<String> IMAGES = Set.of("oci-image", "oci-image-index", "docker-image", "docker-manifest-list");

    /** A repository under construction. */
    static final class Repo {
        final List<TagRow> tags = new ArrayList<>();
        final Map<Digest, ManifestRow> manifests = new LinkedHashMap<>();
        final Map<Digest, Set<Digest>> children = new HashMap<>();

        Digest manifest(String name, String type, Duration pushedAgo) {
            return manifest(name, type, pushedAgo, null, null);
        }

        Digest manifest(String name, String type, Duration pushedAgo, Duration pulledAgo, Digest subject) {
            Digest digest = digest(name);
            manifests.put(digest, new ManifestRow(digest, type, NOW.minus(pushedAgo),
                    Optional.ofNullable(pulledAgo).map(NOW::minus), Optional.ofNullable(subject)));
            return digest;
        }

        /** A manifest with a tag of its name, both pushed {@code pushedAgo}. */
        Digest tagged(String tag, String type, Duration pushedAgo) {
            Digest digest = manifest(tag, type, pushedAgo);
            tag(tag, digest, pushedAgo);
            return digest;
        }

        void tag(String name, Digest digest, Duration pushedAgo) {
            tags.add(new TagRow(name, digest, NOW.minus(pushedAgo)));
        }

        void index(Digest index, Digest... members) {
            children.put(index, new TreeSet<>(List.of(members)));
        }

        List<Deletion> plan(RetentionPolicy... policies) {
            return plan(ImmutableTags.NONE, policies);
        }

        List<Deletion> plan(ImmutableTags immutable, RetentionPolicy... policies) {
            return Planner.plan(new RepositorySnapshot(REPO, tags, manifests, children), List.of(policies), immutable,
                    NOW);
        }
    }

    static Digest digest(String name) {
        return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
    }

    static Duration days(long n) {
        return Duration.ofDays(n);
    }

    static RetentionPolicy policy(String name, Set<String> types, List<DeleteRule> delete, List<KeepRule> keep) {
        return new RetentionPolicy(name, List.of(RepositoryGlob.of("**")), types, delete, keep);
    }

    static DeleteRule delete(String tags, Duration olderThan, Duration notPulledFor, Duration untagged) {
        return new DeleteRule("delete[0]", Optional.ofNullable(tags).map(Pattern::compile), Set.of(),
                Optional.ofNullable(olderThan), Optional.ofNullable(notPulledFor), Optional.ofNullable(untagged));
    }

    static KeepRule keepLatest(int n) {
        return new KeepRule("keep[0]", Optional.empty(), Set.of(), OptionalInt.of(n), Optional.empty(), Optional.empty());
    }

    static KeepRule keepTags(String regex) {
        return new KeepRule("keep[1]", Optional.of(Pattern.compile(regex)), Set.of(), OptionalInt.empty(),
                Optional.empty(), Optional.empty());
    }

    static List<String> deletedTags(List<Deletion> plan) {
        return plan.stream().filter(Deletion::isTag).map(d -> d.tag().orElseThrow()).sorted().toList();
    }

    static Set<Digest> deletedManifests(List<Deletion> plan) {
        Set<Digest> result = new TreeSet<>();
        plan.stream().filter(d -> !d.isTag()).forEach(d -> result.add(d.digest()));
        return result;
    }

    @Test
    void theTypeSelectorKeepsTheLastFiveChartVersionsAndLeavesImagesAlone() {
        Repo repo = new Repo();
        for (int i = 1; i <= 7; i++) {
            repo.tagged("chart-0." + i, "helm-chart", days(10 - i));
            repo.tagged("image-" + i, "oci-image", days(20 - i));
        }
        List<Deletion> plan = repo.plan(policy("charts", Set.of("helm-chart"), List.of(), List.of(keepLatest(5))));

        assertThat(deletedTags(plan)).containsExactly("chart-0.1", "chart-0.2");
        assertThat(deletedManifests(plan)).containsExactlyInAnyOrder(digest("chart-0.1"), digest("chart-0.2"));
        assertThat(plan).filteredOn(Deletion::isTag).allSatisfy(d -> {
            assertThat(d.policy()).isEqualTo("charts");
            assertThat(d.rule()).isEqualTo("not kept");
            assertThat(d.typeId()).isEqualTo("helm-chart");
        });
        assertThat(plan).filteredOn(d -> !d.isTag()).allSatisfy(d -> assertThat(d.rule()).isEqualTo("left untagged"));
    }

    @Test
    void anImmutableTagIsKeptAndSoIsItsManifest() {
        Repo repo = new Repo();
        repo.tagged("v1.0.0", "oci-image", days(30));
        repo.tagged("pr-7", "oci-image", days(30));
        ImmutableTags releases = (repository, tag, types) -> repository.equals(REPO) && tag.name().startsWith("v")
                && types.contains("oci-image") ? Optional.of("immutability.rules[0]") : Optional.empty();

        List<Deletion> plan = repo.plan(releases, policy("p", Set.of(), List.of(delete(null, days(7), null, null)),
                List.of()));

        assertThat(deletedTags(plan)).containsExactly("pr-7");
        assertThat(deletedManifests(plan)).containsExactly(digest("pr-7"));
        assertThat(deletedTags(repo.plan(policy("p", Set.of(), List.of(delete(null, days(7), null, null)), List.of()))))
                .containsExactlyInAnyOrder("pr-7", "v1.0.0");
    }

    @Test
    void aTypeOnARuleNarrowsItToThatType() {
        Repo repo = new Repo();
        repo.tagged("a", "helm-chart", days(30));
        repo.tagged("b", "oci-image", days(30));
        DeleteRule charts = new DeleteRule("delete[0]", Optional.empty(), Set.of("helm-chart"), Optional.of(days(7)),
                Optional.empty(), Optional.empty());
        assertThat(deletedTags(repo.plan(policy("p", Set.of(), List.of(charts), List.of())))).containsExactly("a");
    }

    @Test
    void theTagRegexSelectsOnlyMatchingTags() {
        Repo repo = new Repo();
        repo.tagged("pr-1", "oci-image", days(1));
        repo.tagged("pr-2", "oci-image", days(1));
        repo.tagged("main", "oci-image", days(1));
        repo.tagged("fix-pr-3", "oci-image", days(1));
        List<Deletion> plan = repo.plan(policy("p", Set.of(), List.of(delete("^pr-", null, null, null)), List.of()));
        assertThat(deletedTags(plan)).containsExactly("pr-1", "pr-2");
        assertThat(plan.get(0).reason()).contains("tag matches ^pr-");
    }

    @Test
    void theAgeSelectorSelectsTagsPushedBeforeTheDuration() {
        Repo repo = new Repo();
        repo.tagged("old", "oci-image", days(20));
        repo.tagged("young", "oci-image", days(10));
        Digest moved = repo.manifest("moved", "oci-image", days(40));
        repo.tag("moved", moved, days(1)); // an old manifest, tagged yesterday: the tag is young
        List<Deletion> plan = repo.plan(policy("p", Set.of(), List.of(delete(null, days(14), null, null)), List.of()));
        assertThat(deletedTags(plan)).containsExactly("old");
        assertThat(plan.get(0).reason()).contains("pushed 20d ago (olderThan 14d)");
    }

    @Test
    void theLastPullSelectorSelectsWhatWasNotPulledForTheDurationCountingANeverPulledOneFromItsPush() {
        Repo repo = new Repo();
        repo.tag("pulled-long-ago", repo.manifest("a", "oci-image", days(100), days(40), null), days(100));
        repo.tag("pulled-lately", repo.manifest("b", "oci-image", days(100), days(5), null), days(100));
        repo.tag("never-pulled-old", repo.manifest("c", "oci-image", days(60)), days(60));
        repo.tag("never-pulled-new", repo.manifest("d", "oci-image", days(5)), days(5));
        List<Deletion> plan = repo.plan(policy("p", Set.of(), List.of(delete(null, null, days(30), null)), List.of()));
        assertThat(deletedTags(plan)).containsExactly("never-pulled-old", "pulled-long-ago");
        assertThat(plan).filteredOn(d -> d.tag().equals(Optional.of("pulled-long-ago"))).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("last pulled 40d ago (notPulledFor 30d)"));
        assertThat(plan).filteredOn(d -> d.tag().equals(Optional.of("never-pulled-old"))).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("never pulled"));
    }

    @Test
    void aPulledWithinKeepRuleKeepsARecentlyPulledTagThatADeleteRuleSelects() {
        Repo repo = new Repo();
        repo.tag("old-but-pulled", repo.manifest("a", "oci-image", days(100), days(2), null), days(100));
        repo.tagged("old", "oci-image", days(100));
        KeepRule pulled = new KeepRule("keep[0]", Optional.empty(), Set.of(), OptionalInt.empty(), Optional.empty(),
                Optional.of(days(7)));
        assertThat(deletedTags(repo.plan(policy("p", Set.of(), List.of(delete(null, days(30), null, null)),
                List.of(pulled))))).containsExactly("old");
    }

    @Test
    void theCountKeepsTheLastTenTagsOfImagesByPushTime() {
        Repo repo = new Repo();
        for (int i = 1; i <= 12; i++) {
            repo.tagged("build-" + i, "oci-image", Duration.ofHours(100 - i));
        }
        repo.tagged("chart", "helm-chart", days(300));
        List<Deletion> plan = repo.plan(policy("images", IMAGES, List.of(), List.of(keepLatest(10))));
        assertThat(deletedTags(plan)).containsExactly("build-1", "build-2");
        assertThat(deletedManifests(plan)).containsExactlyInAnyOrder(digest("build-1"), digest("build-2"));
    }

    @Test
    void untaggedManifestsGoAfterTheDurationButChildrenAndReferrersOfWhatStaysDoNot() {
        Repo repo = new Repo();
        Digest old = repo.manifest("old", "oci-image", days(8));
        repo.manifest("young", "oci-image", days(6));
        Digest index = repo.tagged("multi", "oci-image-index", days(30));
        Digest child = repo.manifest("child", "oci-image", days(30));
        repo.index(index, child);
        Digest subject = repo.tagged("v1", "oci-image", days(30));
        repo.manifest("signature", "cosign-signature", days(30), null, subject);
        List<Deletion> plan = repo.plan(policy("untagged", Set.of(), List.of(delete(null, null, null, days(7))),
                List.of()));
        assertThat(plan).singleElement().satisfies(d -> {
            assertThat(d.digest()).isEqualTo(old);
            assertThat(d.isTag()).isFalse();
            assertThat(d.reason()).contains("untagged, pushed 8d ago (untagged 7d)");
        });
    }

    @Test
    void aTagThatAKeepRuleKeepsIsNeverDeletedWhateverAnyPolicySelects() {
        Repo repo = new Repo();
        repo.tagged("v1.2.3", "oci-image", days(400));
        repo.tagged("1.0.0", "oci-image", days(400));
        repo.tagged("v1.2.3-rc1", "oci-image", days(400));
        repo.tagged("nightly", "oci-image", days(400));
        RetentionPolicy releases = policy("releases", IMAGES, List.of(), List.of(keepTags("^v?\\d+\\.\\d+\\.\\d+$")));
        RetentionPolicy everything = policy("old", Set.of(), List.of(delete(null, days(1), null, null)), List.of());
        List<Deletion> plan = repo.plan(everything, releases);
        assertThat(deletedTags(plan)).containsExactly("nightly", "v1.2.3-rc1");
        assertThat(plan).filteredOn(Deletion::isTag).allSatisfy(d -> assertThat(d.policy()).isEqualTo("old"));
    }

    @Test
    void childrenOfADeletedIndexGoUnlessAStayingIndexListsThemOrATagIsLeftOnThem() {
        Repo repo = new Repo();
        Digest gone = repo.tagged("old-multi", "oci-image-index", days(50));
        Digest kept = repo.tagged("new-multi", "oci-image-index", days(1));
        Digest amd64 = repo.manifest("amd64", "oci-image", days(50));
        Digest arm64 = repo.manifest("arm64", "oci-image", days(50));
        Digest shared = repo.manifest("shared", "oci-image", days(50));
        Digest taggedChild = repo.manifest("tagged-child", "oci-image", days(50));
        repo.tag("arm-only", taggedChild, days(1));
        repo.index(gone, amd64, arm64, shared, taggedChild);
        repo.index(kept, shared);
        List<Deletion> plan = repo.plan(policy("p", Set.of(), List.of(delete(null, days(30), null, null)), List.of()));

        assertThat(deletedTags(plan)).containsExactly("old-multi");
        assertThat(deletedManifests(plan)).containsExactlyInAnyOrder(amd64, arm64, gone).doesNotContain(shared, kept, taggedChild);
        List<Digest> order = plan.stream().filter(d -> !d.isTag()).map(Deletion::digest).toList();
        assertThat(order.get(0)).as("the index before its children").isEqualTo(gone);
        assertThat(plan).filteredOn(d -> d.digest().equals(amd64)).singleElement()
                .satisfies(d -> assertThat(d.rule()).isEqualTo("index child"));
    }

    @Test
    void referrersAndCosignTagsFollowTheirSubject() {
        Repo repo = new Repo();
        Digest subject = repo.tagged("old", "oci-image", days(50));
        Digest staying = repo.tagged("new", "oci-image", days(1));
        Digest sbom = repo.manifest("sbom", "spdx-sbom", days(50), null, subject);
        Digest signatureOfSbom = repo.manifest("sbom-signature", "notation-signature", days(50), null, sbom);
        Digest keptSbom = repo.manifest("sbom-of-new", "spdx-sbom", days(50), null, staying);
        Digest cosign = repo.manifest("cosign", "cosign-signature", days(50));
        repo.tag(subject.algorithm().id() + "-" + subject.hex() + ".sig", cosign, days(50));
        Digest cosignOfNew = repo.manifest("cosign-new", "cosign-signature", days(50));
        repo.tag(staying.algorithm().id() + "-" + staying.hex() + ".sig", cosignOfNew, days(50));

        List<Deletion> plan = repo.plan(policy("p", Set.of(), List.of(delete(null, days(30), null, null)), List.of()));

        assertThat(deletedManifests(plan)).containsExactlyInAnyOrder(subject, sbom, signatureOfSbom, cosign);
        assertThat(deletedTags(plan)).containsExactly("old", subject.algorithm().id() + "-" + subject.hex() + ".sig");
        assertThat(deletedManifests(plan)).doesNotContain(staying, keptSbom, cosignOfNew);
        assertThat(plan).filteredOn(d -> d.digest().equals(sbom)).singleElement()
                .satisfies(d -> assertThat(d.rule()).isEqualTo("referrer"));
    }

    @Test
    void theIssuesExamplesTogether() {
        Repo repo = new Repo();
        for (int i = 1; i <= 12; i++) {
            repo.tagged("build-" + i, "oci-image", Duration.ofHours(100 - i));
        }
        repo.tagged("v2.0.0", "oci-image", days(365));
        for (int i = 1; i <= 6; i++) {
            repo.tagged("0." + i + ".0-chart", "helm-chart", days(50 - i));
        }
        Digest dangling = repo.manifest("dangling", "oci-image", days(8));
        RetentionPolicy images = policy("images", IMAGES, List.of(),
                List.of(keepLatest(10), keepTags("^v?\\d+\\.\\d+\\.\\d+$")));
        RetentionPolicy charts = policy("charts", Set.of("helm-chart"), List.of(), List.of(keepLatest(5)));
        RetentionPolicy untagged = policy("untagged", Set.of(), List.of(delete(null, null, null, days(7))), List.of());

        List<Deletion> plan = repo.plan(images, charts, untagged);

        assertThat(deletedTags(plan)).containsExactly("0.1.0-chart", "build-1", "build-2");
        assertThat(deletedManifests(plan)).contains(dangling).hasSize(4);
    }
}
