package io.berth.server.meta;

import io.berth.oci.Repository;
import java.util.List;

/** Which {@link Quota}s apply to a repository; the indexes check them in the transactions that add content. */
@FunctionalInterface
public interface Quotas {
    /** No quotas. */
    Quotas NONE = repository -> List.of();

    /** At most one quota of the repository itself and one of its namespace. */
    List<Quota> applying(Repository repository);

    /** The namespace of a repository: the first segment of its name ({@code team} of {@code team/app/web}), or the name. */
    static String namespaceOf(Repository repository) {
        String name = repository.name();
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }
}
