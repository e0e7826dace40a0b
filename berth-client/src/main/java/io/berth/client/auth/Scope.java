package io.berth.client.auth;

import io.berth.oci.Repository;
import java.util.ArrayList;
import java.util.List;

/**
 * The access a request needs, in the token spec's scope syntax: {@code repository:samples/helm:pull,push},
 * {@code registry:catalog:*}. A request may need several (a cross-repository mount pulls from one and pushes to another).
 */
public record Scope(List<String> entries) {
    public static final Scope NONE = new Scope(List.of());

    public Scope {
        entries = List.copyOf(entries);
    }

    public static Scope pull(Repository repository) {
        return new Scope(List.of("repository:" + repository + ":pull"));
    }

    public static Scope push(Repository repository) {
        return new Scope(List.of("repository:" + repository + ":pull,push"));
    }

    public static Scope delete(Repository repository) {
        return new Scope(List.of("repository:" + repository + ":delete"));
    }

    public static Scope catalog() {
        return new Scope(List.of("registry:catalog:*"));
    }

    /** Operating a Berth server: its admin API ({@code /api/v1/admin/…}, the delivery and scanner status). */
    public static Scope admin() {
        return new Scope(List.of("registry:admin:*"));
    }

    public Scope and(Scope other) {
        List<String> all = new ArrayList<>(entries);
        other.entries.stream().filter(e -> !all.contains(e)).forEach(all::add);
        return new Scope(all);
    }

    /** The key under which a token for this scope is cached. */
    String key() {
        return String.join(" ", entries);
    }
}
