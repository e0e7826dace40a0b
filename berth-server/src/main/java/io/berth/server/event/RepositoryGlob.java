package io.berth.server.event;

import io.berth.oci.Repository;
import java.util.regex.Pattern;

/**
 * A repository name pattern: {@code *} matches within one path component, {@code **} across components
 * ({@code samples/**} matches {@code samples/helm/hello-world}), {@code **}{@code /} also matches no component at all
 * ({@code **}{@code /hello-world} matches {@code hello-world}), {@code ?} one character other than {@code /}.
 */
public record RepositoryGlob(String glob, Pattern pattern) {

    public static RepositoryGlob of(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("a repository pattern must not be empty");
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                regex.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new RepositoryGlob(glob, Pattern.compile(regex.toString()));
    }

    public boolean matches(Repository repository) {
        return pattern.matcher(repository.name()).matches();
    }

    @Override
    public String toString() {
        return glob;
    }
}
