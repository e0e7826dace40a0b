package io.berth.server.event;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Where events go and which ones: one {@code events.endpoints[]} entry. Empty filters let everything through; an
 * event must pass all three. Failed deliveries are retried with a back-off doubling from {@code backoff} to
 * {@code maxBackoff}, in order, forever — unless {@code maxRetries} is set, after which the event is abandoned
 * (counted in the status) so that the next can go.
 *
 * @param name         unique; names the endpoint in the status API, the metrics and the outbox
 * @param headers      sent with every request, e.g. {@code Authorization}
 * @param repositories {@link RepositoryGlob}s; the event's repository must match one
 * @param actions      the event's action must be one of these
 * @param types        catalog type ids; the event's artifact type must be one (blob events have none)
 * @param timeout      for one delivery attempt, connecting included
 */
public record EndpointConfig(String name, URI url, Map<String, String> headers, EventFormat format,
                             List<RepositoryGlob> repositories, Set<Action> actions, Set<String> types,
                             Duration timeout, Duration backoff, Duration maxBackoff, OptionalInt maxRetries) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

    public EndpointConfig {
        headers = Map.copyOf(headers);
        repositories = List.copyOf(repositories);
        actions = Set.copyOf(actions);
        types = Set.copyOf(types);
        List<String> problems = new ArrayList<>();
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            problems.add("name must be 1-64 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            problems.add("url must be an http or https URL, was '" + url + "'");
        }
        if (format == null) {
            problems.add("format must be distribution or cloudevents");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            problems.add("timeout must be positive");
        }
        if (backoff == null || backoff.isNegative() || backoff.isZero() || maxBackoff == null || maxBackoff.compareTo(backoff) < 0) {
            problems.add("backoff must be positive and at most maxBackoff");
        }
        if (maxRetries.isPresent() && maxRetries.getAsInt() < 0) {
            problems.add("maxRetries must not be negative");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("event endpoint " + name + ": " + String.join("; ", problems));
        }
    }

    /** {@code berth serve --webhook URL}: every event, in Distribution's format, with the default timing. */
    public static EndpointConfig webhook(URI url) {
        return new EndpointConfig("webhook", url, Map.of(), EventFormat.DISTRIBUTION, List.of(), Set.of(), Set.of(),
                DEFAULT_TIMEOUT, DEFAULT_BACKOFF, DEFAULT_MAX_BACKOFF, OptionalInt.empty());
    }

    /** Whether this endpoint wants {@code event}. */
    public boolean accepts(Event event) {
        Event.Target target = event.target();
        return (repositories.isEmpty() || repositories.stream().anyMatch(glob -> glob.matches(target.repository())))
                && (actions.isEmpty() || actions.contains(event.action()))
                && (types.isEmpty() || target.type().filter(type -> types.contains(type.id())).isPresent());
    }

    /** The URL without user info, query or fragment, which may hold secrets: what the status API shows. */
    public String displayUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    /** The delay before attempt {@code failures + 1}: {@code backoff} doubled per failure, at most {@code maxBackoff}. */
    public Duration backoffAfter(int failures) {
        Duration delay = backoff;
        for (int i = 1; i < failures && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }

    @Override
    public String toString() {
        return "EndpointConfig[name=" + name + ", url=" + displayUrl() + ", format=" + format.id() + "]";
    }
}
