package io.berth.server.event;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.meta.RequestContext;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Something that happened to an artifact, in the terms of the formats endpoints receive: what was done, to what,
 * by whom and where. Built from a {@link io.berth.server.meta.Change} (or a pull) and rendered by an
 * {@link EventFormat} when it enters the outbox.
 *
 * @param id        unique per event (a UUID)
 * @param request   the request that caused it; {@link RequestContext#INTERNAL} when none did
 * @param source    the Berth instance that recorded it
 */
public record Event(String id, Instant timestamp, Action action, Target target, RequestContext request, Source source) {

    /** What an event is about: a whole artifact (manifest), one tag, or one blob. */
    public enum Kind {
        ARTIFACT, TAG, BLOB;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What the event is about.
     *
     * @param tag          the tag pushed, pulled or deleted, when the request named one
     * @param digest       the manifest's (or blob's) digest
     * @param mediaType    the manifest's media type ({@code application/octet-stream} for a blob)
     * @param size         the manifest's (or blob's) size in bytes
     * @param artifactType the manifest's effective artifact type ({@code artifactType}, else the config's media type)
     * @param type         the catalog type the manifest was classified as; empty for blobs
     * @param subject      the manifest this one refers to, for referrers (signatures, SBOMs …)
     */
    public record Target(Kind kind, Repository repository, Optional<String> tag, Digest digest, String mediaType,
                         long size, Optional<String> artifactType, Optional<TypeRef> type, Optional<Digest> subject) {

        /** The tag when there is one, else the digest: how the request named the artifact. */
        public String reference() {
            return tag.orElse(digest.toString());
        }

        /** Where the content can be fetched, by digest, through the host the request addressed; empty without one. */
        public Optional<String> url(RequestContext request) {
            if (request.host().isEmpty()) {
                return Optional.empty();
            }
            String resource = kind == Kind.BLOB ? "/blobs/" : "/manifests/";
            return Optional.of("http://" + request.host() + "/v2/" + repository.name() + resource + digest);
        }
    }

    /** An artifact type of the catalog, as events name it. */
    public record TypeRef(String id, String title) {
    }

    /**
     * The Berth instance that recorded the event.
     *
     * @param addr       {@code hostname:port} it listens on
     * @param instanceId random per process start
     */
    public record Source(String addr, String instanceId) {
    }

    /** The CloudEvents type, e.g. {@code io.berth.artifact.pushed}, {@code io.berth.tag.deleted}. */
    public String cloudEventsType() {
        return "io.berth." + target.kind().id() + "." + action.pastTense();
    }
}
