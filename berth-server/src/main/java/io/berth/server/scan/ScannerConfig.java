package io.berth.server.scan;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code scanners[]} entry: a Harbor scanner adapter (API v1.2) and the catalog types it is sent.
 *
 * @param name                 unique; stored with each scan and shown in the listing
 * @param url                  the adapter's base URL; its API is under {@code /api/v1}
 * @param types                catalog type ids to scan; empty means every type whose scanner category is
 *                             {@code image}. Only the types the adapter's metadata backs are sent (see {@link ScanTypes}).
 * @param authorization        {@code registry.authorization} of each scan request — what the adapter presents to pull
 *                             from Berth (e.g. {@code Basic …}); empty sends {@code ""}. See {@link ScanCredentials}.
 * @param adapterAuthorization the {@code Authorization} header of Berth's own calls to the adapter
 * @param registryUrl          {@code registry.url} of each scan request — how the adapter reaches Berth; by default
 *                             the address Berth listens on
 */
public record ScannerConfig(String name, URI url, List<String> types, Optional<String> authorization,
                            Optional<String> adapterAuthorization, Optional<URI> registryUrl) {
    public ScannerConfig {
        types = List.copyOf(types);
        List<String> problems = new ArrayList<>();
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            problems.add("name must be 1-64 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            problems.add("url must be an http or https URL, was '" + url + "'");
        }
        if (registryUrl.isPresent() && registryUrl.get().getHost() == null) {
            problems.add("registryUrl must be an absolute URL, was '" + registryUrl.get() + "'");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("scanner " + name + ": " + String.join("; ", problems));
        }
    }

    /** A scanner with only the required settings. */
    public static ScannerConfig of(String name, URI url, List<String> types) {
        return new ScannerConfig(name, url, types, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The adapter's API root, {@code <url>/api/v1}, whether or not the configured URL already ends with it. */
    URI apiRoot() {
        String base = url.toString().replaceAll("/+$", "");
        return URI.create(base.endsWith("/api/v1") ? base : base + "/api/v1");
    }

    /** The URL without user info or query, which may hold secrets. */
    String displayUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
        return "ScannerConfig[name=" + name + ", url=" + displayUrl() + ", types=" + types + "]";
    }
}
