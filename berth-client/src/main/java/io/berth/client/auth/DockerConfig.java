package io.berth.client.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials where {@code docker login}, {@code podman login}, {@code skopeo login} and {@code oras login} keep them,
 * so that their logins just work, and where {@code berth login} puts them for those tools to use.
 *
 * <p><b>Read</b>, in this order, the first file that knows the registry winning (containers-auth.json(5) of
 * containers/image, which podman, skopeo and buildah use: "the primary (read/write) file, or the explicit override
 * …; if credentials are not present there, the search continues in {@code ${XDG_CONFIG_HOME}/containers/auth.json},
 * {@code $HOME/.docker/config.json}, {@code $HOME/.dockercfg}"; containers/image reads {@code $DOCKER_CONFIG/config.json}
 * instead of the home one when {@code DOCKER_CONFIG} is set, as docker does):
 * <ol>
 *   <li>{@code $REGISTRY_AUTH_FILE} (podman's and skopeo's override);</li>
 *   <li>{@code $XDG_RUNTIME_DIR/containers/auth.json} (where {@code podman login} writes on Linux), or without
 *       that variable {@code /run/containers/<uid>/auth.json}, as containers/image does;</li>
 *   <li>{@code ${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json};</li>
 *   <li>{@code $DOCKER_CONFIG/config.json}, else {@code $HOME/.docker/config.json} (docker's, where
 *       {@code berth login} writes);</li>
 *   <li>{@code $HOME/.dockercfg} (docker's legacy format, read only).</li>
 * </ol>
 * {@code $HOME} is the environment's, as these tools use it; Java's {@code user.home} (the password database's home)
 * only when {@code HOME} is unset. With {@link #file} (the CLI's {@code --authfile}) only that file is read and
 * written, as containers/image does for a file given by option. containers/image's code treats
 * {@code $REGISTRY_AUTH_FILE} like that option too (podman and skopeo turn it into their {@code --authfile} default);
 * Berth keeps it first in the chain as the man page describes, so that a file which does not know a registry does not
 * hide docker's login for it.
 *
 * <p>In each file: a {@code credHelpers[host]} helper, then an {@code auths[host]} entry ({@code auth} = base64
 * {@code user:password}, or {@code username}/{@code password}, or {@code identitytoken}), then the {@code credsStore}
 * helper (see {@link CredentialHelper}). Keys may be written as {@code host}, {@code https://host} or
 * {@code https://host/v1/}.
 *
 * <p><b>Written</b> by {@link #save} and {@link #erase}: the {@link #file} given, else {@code $DOCKER_CONFIG/config.json},
 * else {@code $HOME/.docker/config.json}: one file docker, podman, skopeo and oras all read. Everything else in it is
 * kept; it is created with its directories, mode 0600, and replaced atomically. When the file names a helper for the
 * registry ({@code credHelpers}, else {@code credsStore}), the secret goes to the helper and the file only records
 * that the registry is logged in, as docker does.
 */
public final class DockerConfig implements CredentialSource {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String HUB = "docker.io";
    private static final String HUB_KEY = "https://index.docker.io/v1/";

    /** A credentials file; {@code legacy} is {@code .dockercfg}, whose top-level object is the {@code auths} map. */
    private record AuthFile(Path path, boolean legacy) {
    }

    private final Map<String, String> env;
    private final List<AuthFile> files;
    private final Path loginFile;

    private DockerConfig(Map<String, String> env, List<AuthFile> files, Path loginFile) {
        this.env = Map.copyOf(env);
        this.files = List.copyOf(files);
        this.loginFile = loginFile;
    }

    /** The files of this process's environment. */
    public static DockerConfig fromEnvironment() {
        return of(System.getenv(), home(System.getenv()));
    }

    /** {@code $HOME}, else Java's {@code user.home}. */
    public static Path home(Map<String, String> env) {
        return set(env, "HOME").map(Path::of).orElseGet(() -> Path.of(System.getProperty("user.home")));
    }

    /**
     * The files that {@code env} ({@code REGISTRY_AUTH_FILE}, {@code XDG_RUNTIME_DIR}, {@code XDG_CONFIG_HOME},
     * {@code DOCKER_CONFIG}; {@code PATH} for helpers) and {@code home} point to, in the order of the class comment.
     */
    public static DockerConfig of(Map<String, String> env, Path home) {
        List<AuthFile> files = new ArrayList<>();
        set(env, "REGISTRY_AUTH_FILE").map(Path::of).ifPresent(p -> files.add(new AuthFile(p, false)));
        set(env, "XDG_RUNTIME_DIR").map(dir -> Path.of(dir, "containers", "auth.json"))
                .or(DockerConfig::perUserRuntimeFile)
                .ifPresent(p -> files.add(new AuthFile(p, false)));
        Path configHome = set(env, "XDG_CONFIG_HOME").map(Path::of).orElse(home.resolve(".config"));
        files.add(new AuthFile(configHome.resolve("containers").resolve("auth.json"), false));
        Path docker = set(env, "DOCKER_CONFIG").map(dir -> Path.of(dir, "config.json"))
                .orElse(home.resolve(".docker").resolve("config.json"));
        files.add(new AuthFile(docker, false));
        files.add(new AuthFile(home.resolve(".dockercfg"), true));
        return new DockerConfig(env, distinct(files), docker);
    }

    /** Only {@code file}, read and written (podman's and skopeo's {@code --authfile}); {@code env} gives helpers their {@code PATH}. */
    public static DockerConfig file(Path file, Map<String, String> env) {
        return new DockerConfig(env, List.of(new AuthFile(file, false)), file);
    }

    /** The file {@link #save} and {@link #erase} write. */
    public Path loginFile() {
        return loginFile;
    }

    /** The files read, in order; most may not exist. */
    public List<Path> readOrder() {
        return files.stream().map(AuthFile::path).toList();
    }

    @Override
    public Optional<Credentials> find(String registry) {
        for (AuthFile file : files) {
            Optional<JsonNode> config = read(file);
            if (config.isPresent()) {
                Optional<Credentials> found = find(config.get(), registry);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The files other than the {@link #loginFile} that have an entry for {@code registry}: a login or logout leaves
     * them as they are, and those read before the login file still decide.
     */
    public List<Other> others(String registry) {
        List<Other> others = new ArrayList<>();
        boolean beforeLoginFile = true;
        for (AuthFile file : files) {
            if (file.path().equals(loginFile)) {
                beforeLoginFile = false;
                continue;
            }
            boolean first = beforeLoginFile;
            read(file).filter(config -> entry(config.path("auths"), registry).isPresent()
                            || entry(config.path("credHelpers"), registry).isPresent())
                    .ifPresent(config -> others.add(new Other(file.path(), first)));
        }
        return others;
    }

    /** Another file with credentials for a registry; {@code readFirst}: it is read before the login file. */
    public record Other(Path file, boolean readFirst) {
    }

    private Optional<Credentials> find(JsonNode config, String registry) {
        Optional<String> helper = entry(config.path("credHelpers"), registry).map(JsonNode::asText).filter(s -> !s.isEmpty());
        if (helper.isPresent()) {
            return new CredentialHelper(helper.get(), env).get(key(registry));
        }
        Optional<Credentials> inline = entry(config.path("auths"), registry).flatMap(DockerConfig::inline);
        if (inline.isPresent()) {
            return inline;
        }
        String store = config.path("credsStore").asText("");
        return store.isEmpty() ? Optional.empty() : new CredentialHelper(store, env).get(key(registry));
    }

    private static Optional<Credentials> inline(JsonNode auth) {
        if (!auth.path("identitytoken").asText("").isEmpty()) {
            return Optional.of(Credentials.identityToken(auth.path("identitytoken").asText()));
        }
        String encoded = auth.path("auth").asText("");
        if (!encoded.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty(); // as docker and podman: an entry they cannot decode is no credential
            }
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                return Optional.of(Credentials.basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
        }
        if (!auth.path("username").asText("").isEmpty()) {
            return Optional.of(Credentials.basic(auth.path("username").asText(), auth.path("password").asText("")));
        }
        return Optional.empty();
    }

    /** Stores {@code credentials} for {@code registry} in the login file or its helper; returns where they went. */
    public String save(String registry, Credentials credentials) {
        ObjectNode config = read(new AuthFile(loginFile, false)).map(ObjectNode.class::cast).orElseGet(JSON::createObjectNode);
        Optional<String> helper = helperFor(config, registry);
        ObjectNode auths = config.get("auths") instanceof ObjectNode existing ? existing : config.putObject("auths");
        removeEntries(auths, registry);
        String where;
        if (helper.isPresent()) {
            CredentialHelper program = new CredentialHelper(helper.get(), env);
            program.store(key(registry), credentials);
            auths.putObject(key(registry));
            where = program.program();
        } else {
            ObjectNode entry = auths.putObject(key(registry));
            if (credentials.identityToken().isPresent()) {
                entry.put("identitytoken", credentials.identityToken().get());
            } else {
                entry.put("auth", Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                        .getBytes(StandardCharsets.UTF_8)));
            }
            where = loginFile.toString();
        }
        write(config);
        return where;
    }

    /** Removes the credentials for {@code registry} from the login file and its helper; false when there were none. */
    public boolean erase(String registry) {
        Optional<JsonNode> read = read(new AuthFile(loginFile, false));
        if (read.isEmpty()) {
            return false;
        }
        ObjectNode config = (ObjectNode) read.get();
        boolean removed = false;
        Optional<String> helper = helperFor(config, registry);
        if (helper.isPresent()) {
            removed = new CredentialHelper(helper.get(), env).erase(key(registry));
        }
        if (config.get("auths") instanceof ObjectNode auths) {
            removed |= removeEntries(auths, registry);
        }
        if (removed) {
            write(config);
        }
        return removed;
    }

    private static Optional<String> helperFor(JsonNode config, String registry) {
        return entry(config.path("credHelpers"), registry).map(JsonNode::asText).filter(s -> !s.isEmpty())
                .or(() -> Optional.of(config.path("credsStore").asText("")).filter(s -> !s.isEmpty()));
    }

    private static boolean removeEntries(ObjectNode auths, String registry) {
        boolean removed = false;
        for (Iterator<String> names = auths.fieldNames(); names.hasNext(); ) {
            if (host(names.next()).equals(host(registry))) {
                names.remove();
                removed = true;
            }
        }
        return removed;
    }

    /** The entry of {@code object} whose key names {@code registry}, in any of the forms docker writes. */
    private static Optional<JsonNode> entry(JsonNode object, String registry) {
        if (!object.isObject()) {
            return Optional.empty();
        }
        if (object.has(registry)) {
            return Optional.of(object.get(registry));
        }
        String wanted = host(registry);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (host(e.getKey()).equals(wanted)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** {@code https://index.docker.io/v1/} → {@code docker.io}; {@code http://host:5000/} → {@code host:5000}. */
    static String host(String key) {
        String host = key.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
        int slash = host.indexOf('/');
        host = slash < 0 ? host : host.substring(0, slash);
        return switch (host) {
            case "index.docker.io", "registry-1.docker.io" -> HUB;
            default -> host;
        };
    }

    /**
     * The {@code auths} key and helper server URL docker uses: Docker Hub under its historic URL, every other registry
     * as its host, so that helpers shared with docker find the same entries.
     */
    private static String key(String registry) {
        return host(registry).equals(HUB) ? HUB_KEY : registry;
    }

    /**
     * Where podman keeps its logins when {@code XDG_RUNTIME_DIR} is unset (root in a CI container, a service account):
     * {@code /run/containers/<uid>/auth.json}, with the uid of this process; empty where there is no {@code /proc}.
     */
    static Optional<Path> perUserRuntimeFile() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Optional.of(Path.of("/run/containers", String.valueOf(uid), "auth.json"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException notLinux) {
            return Optional.empty();
        }
    }

    private static Optional<String> set(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank());
    }

    private static List<AuthFile> distinct(List<AuthFile> files) {
        List<AuthFile> result = new ArrayList<>();
        for (AuthFile file : files) {
            if (result.stream().noneMatch(f -> f.path().equals(file.path()))) {
                result.add(file);
            }
        }
        return result;
    }

    /** The file's object ({@code {"auths": …}} for the legacy format); empty when it does not exist. */
    private static Optional<JsonNode> read(AuthFile file) {
        if (!Files.isRegularFile(file.path())) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.path().toFile());
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            return Optional.of(file.legacy() ? JSON.createObjectNode().set("auths", node) : node);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new UncheckedIOException("cannot read " + file.path() + ": not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + "; fix or remove the file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.path() + ": " + e.getMessage(), e);
        }
    }

    private void write(ObjectNode config) {
        Path dir = loginFile.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".config", ".json");
            try {
                try {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the file inherits the directory's ACL
                }
                Files.writeString(temp, JSON.writeValueAsString(config) + "\n");
                Files.move(temp, loginFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + loginFile + ": " + e.getMessage(), e);
        }
    }
}
