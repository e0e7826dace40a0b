package io.berth.server.meta;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.resource.classpath.ClassPathResource;

/** Flyway's view of the migration scripts: the named files in one classpath location, without scanning for them. */
final class NamedResources implements ResourceProvider {
    private final Location location;
    private final List<String> names;

    NamedResources(Location location, List<String> names) {
        this.location = location;
        this.names = names;
    }

    @Override
    public LoadableResource getResource(String name) {
        return names.contains(name) ? resource(name) : null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return names.stream()
                .filter(name -> name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith))
                .map(this::resource)
                .toList();
    }

    private LoadableResource resource(String name) {
        return new ClassPathResource(location, location.getRootPath() + "/" + name, NamedResources.class.getClassLoader(),
                StandardCharsets.UTF_8);
    }
}
