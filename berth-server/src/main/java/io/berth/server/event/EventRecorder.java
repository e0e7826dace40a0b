package io.berth.server.event;

import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.RequestContext;
import io.berth.server.meta.Change;
import io.berth.server.meta.ChangeListener;
import io.berth.server.meta.StoredManifest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Turns the indexes' {@link Change}s — and pulls — into {@link Event}s and puts each into the {@link Outbox} for the
 * endpoints whose filters it passes, inside the transaction of the change. After the commit it wakes the senders.
 */
final class EventRecorder implements ChangeListener {
    private final Outbox outbox;
    private final List<EndpointConfig> endpoints;
    private final Supplier<TypeCatalog> catalog;
    private final Supplier<Event.Source> source;
    private final Clock clock;
    private final Runnable wake;

    EventRecorder(Outbox outbox, List<EndpointConfig> endpoints, Supplier<TypeCatalog> catalog,
                  Supplier<Event.Source> source, Clock clock, Runnable wake) {
        this.outbox = outbox;
        this.endpoints = List.copyOf(endpoints);
        this.catalog = catalog;
        this.source = source;
        this.clock = clock;
        this.wake = wake;
    }

    @Override
    public void written(Connection connection, Change change) throws SQLException {
        if (!endpoints.isEmpty()) {
            Event event = event(change);
            outbox.append(connection, event, wanting(event), event.timestamp());
        }
    }

    @Override
    public void committed(Change change) {
        if (!endpoints.isEmpty()) {
            wake.run();
        }
    }

    /** Records a pull of {@code manifest} (by {@code tag} when the request named one), in a transaction of its own. */
    void pulled(StoredManifest manifest, Optional<Reference.Tag> tag, RequestContext request) {
        Event event = event(Action.PULL, Event.Kind.ARTIFACT, manifest, tag.map(Reference.Tag::name), request);
        List<EndpointConfig> to = wanting(event);
        if (!to.isEmpty()) {
            outbox.append(event, to, event.timestamp());
            wake.run();
        }
    }

    private List<EndpointConfig> wanting(Event event) {
        return endpoints.stream().filter(endpoint -> endpoint.accepts(event)).toList();
    }

    Event event(Change change) {
        if (change instanceof Change.ManifestPut put) {
            return event(Action.PUSH, Event.Kind.ARTIFACT, put.manifest(), put.tag().map(Reference.Tag::name), put.context());
        } else if (change instanceof Change.ManifestDeleted deleted) {
            return event(Action.DELETE, Event.Kind.ARTIFACT, deleted.manifest(), Optional.empty(), deleted.context());
        } else if (change instanceof Change.TagDeleted deleted) {
            return event(Action.DELETE, Event.Kind.TAG, deleted.manifest(), Optional.of(deleted.tag().name()), deleted.context());
        }
        Change.BlobDeleted blob = (Change.BlobDeleted) change;
        Event.Target target = new Event.Target(Event.Kind.BLOB, blob.repository(), Optional.empty(), blob.digest(),
                MediaTypes.OCTET_STREAM, blob.size(), Optional.empty(), Optional.empty(), Optional.empty());
        return new Event(UUID.randomUUID().toString(), clock.instant(), Action.DELETE, target, blob.context(), source.get());
    }

    private Event event(Action action, Event.Kind kind, StoredManifest manifest, Optional<String> tag,
                        RequestContext request) {
        TypeCatalog types = catalog.get();
        ArtifactType type = types.type(manifest.classification().typeId()).orElse(types.unknown());
        Event.Target target = new Event.Target(kind, manifest.repository(), tag, manifest.digest(), manifest.mediaType(),
                manifest.size(), manifest.artifactType(),
                Optional.of(new Event.TypeRef(manifest.classification().typeId(), type.title())), manifest.subject());
        return new Event(UUID.randomUUID().toString(), clock.instant(), action, target, request, source.get());
    }
}
