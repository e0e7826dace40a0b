package io.berth.server.api;

import io.berth.server.api.RegistryHttp.Descriptor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * What the torture's actors were told by the registry: every manifest push it acknowledged (201), every deletion it
 * acknowledged (202), and what is still in flight. An actor that deletes content (a deleter; later retention) takes the
 * manifest out of the live set <em>before</em> it sends the deletion ({@link #takeForDeletion}), so that a puller that
 * then gets a 404 knows it may; and records the answer after it. A request that got no answer at all (the server was
 * killed under it) is uncertain until {@link #settle}: after the run the registry itself says which way it went.
 */
final class TortureLedger {
    /** An acknowledged manifest: where, under which tag, its digest and the blobs it references. */
    record Image(String repository, String tag, String digest, List<Descriptor> blobs) {
        String key() {
            return repository + "@" + digest;
        }
    }

    private final Map<String, Image> live = new LinkedHashMap<>();
    private final List<Image> liveList = new ArrayList<>();
    private final Set<String> goneOrGoing = new HashSet<>();
    private final Set<String> tagsGoneOrGoing = new HashSet<>();
    private final List<Image> deleted = new ArrayList<>();
    private final List<Image> uncertainPushes = new ArrayList<>();
    private final List<Image> uncertainDeletes = new ArrayList<>();
    private final List<Image> expiring = new ArrayList<>();
    private long tagsDeleted;

    synchronized void acknowledged(Image image) {
        if (image.tag().endsWith(Torture.EXPIRING)) {
            // Retention may delete it from now on: no actor pulls or deletes it, and a 404 for it is no failure.
            goneOrGoing.add(image.key());
            expiring.add(image);
            return;
        }
        if (live.putIfAbsent(image.key(), image) == null) {
            liveList.add(image);
        }
    }

    /** A push that got no answer: stored or not, the registry says after the run. */
    synchronized void pushUncertain(Image image) {
        uncertainPushes.add(image);
    }

    /** A live image chosen at random, left live. */
    synchronized Optional<Image> anyLive(Random random) {
        return liveList.isEmpty() ? Optional.empty() : Optional.of(liveList.get(random.nextInt(liveList.size())));
    }

    /** Takes a random live image out of the live set before its deletion is sent; empty when fewer than {@code keep}. */
    synchronized Optional<Image> takeForDeletion(Random random, int keep) {
        if (liveList.size() <= keep) {
            return Optional.empty();
        }
        Image image = liveList.remove(random.nextInt(liveList.size()));
        live.remove(image.key());
        goneOrGoing.add(image.key());
        return Optional.of(image);
    }

    synchronized void deleted(Image image) {
        deleted.add(image);
    }

    /** A deletion that got no answer. */
    synchronized void deleteUncertain(Image image) {
        uncertainDeletes.add(image);
    }

    /** Marks a live image's tag as going before its deletion is sent. */
    synchronized boolean takeTagForDeletion(Image image) {
        return live.containsKey(image.key()) && tagsGoneOrGoing.add(image.key());
    }

    synchronized void tagDeleted() {
        tagsDeleted++;
    }

    /** May a pull of this image's manifest by digest answer 404 now? Only once its deletion was sent. */
    synchronized boolean mayBeGone(Image image) {
        return goneOrGoing.contains(image.key());
    }

    synchronized boolean tagMayBeGone(Image image) {
        return goneOrGoing.contains(image.key()) || tagsGoneOrGoing.contains(image.key());
    }

    /**
     * Settles the requests that got no answer by what the registry holds now ({@code stored} tells whether a manifest
     * is there): a push that was stored is live from now on, one that was not is forgotten; a deletion that happened
     * counts as deleted, one that did not puts the image back.
     */
    synchronized void settle(java.util.function.Predicate<Image> stored) {
        for (Image image : uncertainPushes) {
            if (stored.test(image)) {
                acknowledged(image);
            }
        }
        uncertainPushes.clear();
        for (Image image : uncertainDeletes) {
            if (stored.test(image)) {
                goneOrGoing.remove(image.key());
                acknowledged(image);
            } else {
                deleted.add(image);
            }
        }
        uncertainDeletes.clear();
    }

    /** Counts the images with expiring tags as deleted (a retention run took them all); returns them. */
    synchronized List<Image> retireExpiring() {
        List<Image> retired = List.copyOf(expiring);
        deleted.addAll(retired);
        expiring.clear();
        return retired;
    }

    synchronized List<Image> live() {
        return List.copyOf(liveList);
    }

    synchronized List<Image> deleted() {
        return List.copyOf(deleted);
    }

    synchronized boolean tagGone(Image image) {
        return tagsGoneOrGoing.contains(image.key());
    }

    synchronized long tagsDeleted() {
        return tagsDeleted;
    }
}
