package io.berth.server.config;

import java.nio.file.Path;

/**
 * A file the configuration names and Berth reads at start, with the setting it came from, for the start-up check.
 *
 * @param what               what it is, as an operator calls it ({@code htpasswd file}, {@code TLS key})
 * @param setting            the flag, variable or key it came from ({@code --htpasswd}, {@code BERTH_TLS_KEY}, {@code tls.key})
 * @param fix                what to do when it cannot be read
 * @param createdWhenMissing Berth creates it when it does not exist (the token signing key)
 */
record NamedFile(Path path, String what, String setting, String fix, boolean createdWhenMissing) {
    static NamedFile read(Path path, String what, String setting, String fix) {
        return new NamedFile(path, what, setting, fix, false);
    }
}
