package io.berth.server.retention;

import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.server.meta.ImmutableTags;
import io.berth.server.meta.RepositorySnapshot;
import io.berth.server.meta.RepositorySnapshot.ManifestRow;
import io.berth.server.meta.RepositorySnapshot.TagRow;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the policies that apply to a repository delete in it, from a snapshot of it; pure, so that a dry run and a run
 * on the same data decide the same.
 *
 * <h2>How rules combine</h2>
 * <ol>
 * <li><b>Kept tags.</b> A tag that any keep rule of any applying policy keeps is never deleted, nor is a tag that an
 *     {@code immutability.rules} rule protects (the manifest index would refuse its deletion; planning it would make
 *     the preview promise what the run cannot do). A keep rule applies to
 *     the tags of its policy's types and of its own; {@code latest: N} keeps the N most recently pushed of the tags
 *     its other selectors admit, per repository.</li>
 * <li><b>Selected tags.</b> Every other tag whose manifest's type a policy governs is a candidate when one of that
 *     policy's delete rules selects it (all of the rule's selectors hold), or, for a policy without delete rules,
 *     always. The first policy, then the first rule, that selects it is reported. Candidates are deleted.</li>
 * <li><b>Manifests.</b> A manifest goes when it has no tag left and nothing holds it: a manifest whose last tags step 2
 *     deletes ("left untagged"), or an untagged manifest that a delete rule with {@code untagged} selects and no keep
 *     rule of times and types keeps. Nothing holds it means: no index of the repository that stays lists it, and it
 *     is no referrer of a manifest that stays.</li>
 * <li><b>Followers.</b> When a manifest goes, its index children go when no other staying index lists them and no
 *     tag is left on them; its referrers ({@code subject}: signatures, SBOMs, attestations) go with it, with their
 *     tags unless a keep rule keeps one; tags of the cosign scheme that name it ({@code sha256-<hex>.sig},
 *     {@code .att}, {@code .sbom}, or no suffix) go with it unless kept, and then their manifests as in step 3.
 *     Referrers and children are never selected on their own: they stay as long as what they follow stays, and a
 *     cosign-scheme tag of a manifest that exists is no candidate of step 2.</li>
 * </ol>
 * Deletions come in an order that can be carried out one by one: tags first, then each manifest before what follows
 * it (an index before its children).
 */
final class Planner {
    /** The cosign tag scheme (and the OCI referrers tag schema's fallback tag): the digest of the subject. */
    private static final Pattern FOLLOWER_TAG = Pattern.compile("^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})(\\.(sig|att|sbom))?$");

    private final RepositorySnapshot snapshot;
    private final List<RetentionPolicy> policies;
    private final ImmutableTags immutable;
    private final Instant now;
    private final Map<Digest, ManifestRow> manifests;
    private final Map<Digest, Set<Digest>> parents = new HashMap<>();
    private final Map<Digest, Set<Digest>> referrers = new HashMap<>();
    private final Map<Digest, List<TagRow>> followerTags = new HashMap<>();
    private final Map<Digest, Set<String>> remainingTags = new HashMap<>();
    private final Set<String> kept;
    private final Map<String, Deletion> tagDeletions = new LinkedHashMap<>();
    private final Map<Digest, Deletion> manifestDeletions = new LinkedHashMap<>();

    private Planner(RepositorySnapshot snapshot, List<RetentionPolicy> policies, ImmutableTags immutable, Instant now) {
        this.snapshot = snapshot;
        this.policies = policies;
        this.immutable = immutable;
        this.now = now;
        this.manifests = snapshot.manifests();
        snapshot.children().forEach((parent, children) ->
                children.forEach(child -> parents.computeIfAbsent(child, c -> new TreeSet<>()).add(parent)));
        manifests.values().forEach(m -> m.subject().filter(manifests::containsKey)
                .ifPresent(s -> referrers.computeIfAbsent(s, k -> new TreeSet<>()).add(m.digest())));
        for (TagRow tag : snapshot.tags()) {
            remainingTags.computeIfAbsent(tag.digest(), d -> new TreeSet<>()).add(tag.name());
            followed(tag).ifPresent(subject -> followerTags.computeIfAbsent(subject, s -> new ArrayList<>()).add(tag));
        }
        this.kept = keptTags();
    }

    /**
     * The deletions in the repository of {@code snapshot}, by {@code policies} (those that apply to it), at {@code now};
     * tags that {@code immutable} protects stay.
     */
    static List<Deletion> plan(RepositorySnapshot snapshot, List<RetentionPolicy> policies, ImmutableTags immutable,
                               Instant now) {
        if (policies.isEmpty()) {
            return List.of();
        }
        Planner planner = new Planner(snapshot, policies, immutable, now);
        planner.selectTags();
        planner.followManifests();
        List<Deletion> plan = new ArrayList<>(planner.tagDeletions.values());
        plan.addAll(planner.manifestDeletions.values());
        return plan;
    }

    /** The manifest a cosign-scheme tag names, when the repository holds it. */
    private Optional<Digest> followed(TagRow tag) {
        Matcher m = FOLLOWER_TAG.matcher(tag.name());
        if (!m.matches()) {
            return Optional.empty();
        }
        Digest subject = Digest.parse(m.group(1) + ":" + m.group(2));
        return manifests.containsKey(subject) && !subject.equals(tag.digest()) ? Optional.of(subject) : Optional.empty();
    }

    private boolean isFollowerTag(TagRow tag) {
        return followed(tag).isPresent();
    }

    private Set<String> keptTags() {
        Set<String> result = new HashSet<>();
        for (TagRow tag : snapshot.tags()) {
            ManifestRow manifest = manifests.get(tag.digest());
            if (manifest != null && immutable.rule(snapshot.repository(), new Reference.Tag(tag.name()),
                    manifest.typeId() == null ? Set.of() : Set.of(manifest.typeId())).isPresent()) {
                result.add(tag.name());
            }
        }
        for (RetentionPolicy policy : policies) {
            for (KeepRule rule : policy.keep()) {
                List<TagRow> admitted = new ArrayList<>();
                for (TagRow tag : snapshot.tags()) {
                    ManifestRow manifest = manifests.get(tag.digest());
                    if (manifest != null && policy.coversType(manifest.typeId()) && rule.admits(tag, manifest, now)
                            && !(rule.latest().isPresent() && isFollowerTag(tag))) {
                        admitted.add(tag);
                    }
                }
                if (rule.latest().isPresent()) {
                    admitted.sort(Comparator.comparing(TagRow::pushedAt).reversed()
                            .thenComparing(TagRow::name, Comparator.reverseOrder()));
                    admitted = admitted.subList(0, Math.min(rule.latest().getAsInt(), admitted.size()));
                }
                admitted.forEach(tag -> result.add(tag.name()));
            }
        }
        return result;
    }

    private void selectTags() {
        for (TagRow tag : snapshot.tags()) {
            ManifestRow manifest = manifests.get(tag.digest());
            if (manifest == null || kept.contains(tag.name()) || isFollowerTag(tag)) {
                continue;
            }
            select(tag, manifest).ifPresent(deletion -> {
                tagDeletions.put(tag.name(), deletion);
                remainingTags.get(tag.digest()).remove(tag.name());
            });
        }
    }

    private Optional<Deletion> select(TagRow tag, ManifestRow manifest) {
        for (RetentionPolicy policy : policies) {
            if (!policy.coversType(manifest.typeId())) {
                continue;
            }
            if (policy.delete().isEmpty()) {
                return Optional.of(tagDeletion(tag, manifest, policy, "not kept", "no keep rule of the policy keeps it ("
                        + "type " + manifest.typeId() + ", pushed " + Ages.ago(tag.pushedAt(), now) + " ago, "
                        + Ages.pullFact(manifest, now) + ")"));
            }
            for (DeleteRule rule : policy.delete()) {
                Optional<String> why = rule.selectsTag(tag, manifest, now);
                if (why.isPresent()) {
                    return Optional.of(tagDeletion(tag, manifest, policy, rule.id(), why.get()));
                }
            }
        }
        return Optional.empty();
    }

    private Deletion tagDeletion(TagRow tag, ManifestRow manifest, RetentionPolicy policy, String rule, String reason) {
        return new Deletion(snapshot.repository(), Optional.of(tag.name()), tag.digest(), manifest.typeId(),
                policy.name(), rule, reason, Set.of());
    }

    /** A manifest queued for deletion, and whether its own tags may go with it (a referrer following its subject). */
    private record Queued(Digest digest, String policy, String rule, String reason, boolean withItsTags) {
    }

    private void followManifests() {
        Deque<Queued> queue = new ArrayDeque<>();
        Map<Digest, List<Deletion>> deletedTagsByDigest = new LinkedHashMap<>();
        tagDeletions.values().forEach(d -> deletedTagsByDigest.computeIfAbsent(d.digest(), k -> new ArrayList<>()).add(d));
        deletedTagsByDigest.forEach((digest, deletions) -> {
            if (remainingTags.get(digest).isEmpty()) {
                Deletion first = deletions.get(0);
                queue.add(new Queued(digest, first.policy(), "left untagged", "its last tag"
                        + (deletions.size() > 1 ? "s " : " ") + String.join(", ", deletions.stream()
                        .map(d -> d.tag().orElseThrow()).toList()) + (deletions.size() > 1 ? " go" : " goes")
                        + " (" + first.rule() + ")", false));
            }
        });
        for (ManifestRow manifest : manifests.values()) {
            if (remainingTags.containsKey(manifest.digest()) || parents.containsKey(manifest.digest())
                    || manifest.subject().filter(manifests::containsKey).isPresent()) {
                continue;
            }
            untaggedSelection(manifest).ifPresent(queue::add);
        }
        while (!queue.isEmpty()) {
            Queued next = queue.poll();
            if (manifestDeletions.containsKey(next.digest()) || !deletable(next)) {
                continue;
            }
            ManifestRow manifest = manifests.get(next.digest());
            Set<String> withIt = next.withItsTags() ? remainingTags.getOrDefault(next.digest(), Set.of()) : Set.of();
            manifestDeletions.put(next.digest(), new Deletion(snapshot.repository(), Optional.empty(), next.digest(),
                    manifest.typeId(), next.policy(), next.rule(), next.reason(), withIt));
            remainingTags.remove(next.digest());
            String what = manifest.typeId() + " " + next.digest();
            for (Digest child : snapshot.children().getOrDefault(next.digest(), Set.of())) {
                queue.add(new Queued(child, next.policy(), "index child", "child of index " + what + ", which goes",
                        false));
            }
            for (Digest referrer : referrers.getOrDefault(next.digest(), Set.of())) {
                queue.add(new Queued(referrer, next.policy(), "referrer", "refers to " + what + ", which goes", true));
            }
            for (TagRow tag : followerTags.getOrDefault(next.digest(), List.of())) {
                if (kept.contains(tag.name()) || tagDeletions.containsKey(tag.name())) {
                    continue;
                }
                ManifestRow target = manifests.get(tag.digest());
                tagDeletions.put(tag.name(), new Deletion(snapshot.repository(), Optional.of(tag.name()), tag.digest(),
                        target.typeId(), next.policy(), "signature tag", "names " + what + ", which goes", Set.of()));
                Set<String> left = remainingTags.get(tag.digest());
                if (left != null) {
                    left.remove(tag.name());
                    if (left.isEmpty()) {
                        queue.add(new Queued(tag.digest(), next.policy(), "left untagged",
                                "its last tag " + tag.name() + " names " + what + ", which goes", false));
                    }
                }
            }
        }
    }

    /**
     * Whether nothing holds the manifest any more: no tag left on it (a referrer following its subject may take its
     * tags along, unless one is kept), no index that stays lists it, and it refers to no manifest that stays.
     */
    private boolean deletable(Queued queued) {
        Set<String> tags = remainingTags.getOrDefault(queued.digest(), Set.of());
        boolean tagsHold = queued.withItsTags() ? tags.stream().anyMatch(kept::contains) : !tags.isEmpty();
        if (tagsHold) {
            return false;
        }
        for (Digest parent : parents.getOrDefault(queued.digest(), Set.of())) {
            if (!manifestDeletions.containsKey(parent)) {
                return false;
            }
        }
        Optional<Digest> subject = manifests.get(queued.digest()).subject().filter(manifests::containsKey);
        return subject.isEmpty() || manifestDeletions.containsKey(subject.get());
    }

    private Optional<Queued> untaggedSelection(ManifestRow manifest) {
        for (RetentionPolicy policy : policies) {
            if (policy.coversType(manifest.typeId()) && policy.keep().stream()
                    .anyMatch(rule -> rule.keepsUntagged(manifest, now))) {
                return Optional.empty();
            }
        }
        for (RetentionPolicy policy : policies) {
            if (!policy.coversType(manifest.typeId())) {
                continue;
            }
            for (DeleteRule rule : policy.delete()) {
                Optional<String> why = rule.selectsUntagged(manifest, now);
                if (why.isPresent()) {
                    return Optional.of(new Queued(manifest.digest(), policy.name(), rule.id(), why.get(), false));
                }
            }
        }
        return Optional.empty();
    }
}
