package io.berth.server.auth;

import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import java.util.Map;
import java.util.function.Predicate;

/** What an {@link AccessController} answers: the request may go on ({@link Grant}) or not ({@link Challenge}). */
public sealed interface Decision permits Decision.Grant, Decision.Challenge {

    /**
     * The caller may do what the request needs.
     *
     * @param subject  who the caller is
     * @param readable the repositories the caller may pull from: what listings show, and where a blob may be
     *                 mounted from
     */
    record Grant(Subject subject, Predicate<Repository> readable) implements Decision {
        /** Everything, for anyone: the registry without authorization. */
        public static final Grant OPEN = new Grant(Subject.ANONYMOUS, repository -> true);
        /** A public route's caller: nobody in particular, who may read nothing through it. */
        public static final Grant NOBODY = new Grant(Subject.ANONYMOUS, repository -> false);

        public boolean canRead(Repository repository) {
            return readable.test(repository);
        }
    }

    /**
     * The request is refused: {@code UNAUTHORIZED} (401) with a {@code WWW-Authenticate} header that tells the client
     * how to authenticate, {@code DENIED} (403) for a known caller without the rights, or {@code TOOMANYREQUESTS}
     * (429) while the client's address is locked out after failed logins.
     *
     * @param headers response headers: {@code WWW-Authenticate}, {@code Retry-After}
     * @param detail  the error detail; never names more than the request did
     */
    record Challenge(ErrorCode code, Map<String, String> headers, String detail) implements Decision {
        public Challenge {
            headers = Map.copyOf(headers);
        }
    }
}
