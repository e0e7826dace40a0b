package io.berth.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An htpasswd file's bcrypt entries ({@code user:$2y$…}, as {@code htpasswd -B} writes them). Entries with other hash
 * schemes (MD5 {@code $apr1$}, SHA-1, crypt) are not accepted and are reported, as are malformed lines; blank lines
 * and {@code #} comments are skipped.
 */
record Htpasswd(Map<String, String> hashes, List<String> problems) {
    static final Htpasswd EMPTY = new Htpasswd(Map.of(), List.of());

    Htpasswd {
        hashes = Map.copyOf(hashes);
        problems = List.copyOf(problems);
    }

    static Htpasswd parse(byte[] content) {
        Map<String, String> hashes = new HashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problems.add("line " + (i + 1) + ": not user:hash");
                continue;
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!hash.matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                problems.add("line " + (i + 1) + " (" + user + "): not a bcrypt hash; create entries with htpasswd -B");
                continue;
            }
            hashes.put(user, hash);
        }
        return new Htpasswd(hashes, problems);
    }

    Optional<String> hash(String user) {
        return Optional.ofNullable(hashes.get(user));
    }
}
