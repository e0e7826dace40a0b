package io.berth.client.auth;

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
 * Credentials where {@code docker login} and {@code podman login} keep them, so that their logins just work.
 *
 * <p>Files are read in podman's order, the first that knows the registry wins: {@code $REGISTRY_AUTH_FILE},
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code ~/.config/containers/auth.json}, then docker's
 * {@code $DOCKER_CONFIG/config.json} (default {@code ~/.docker/config.json}). In each file: a
 * {@code credHelpers[host]} helper, an {@code auths[host]} entry ({@code auth} = base64 {@code user:password},
 * or {@code username}/{@code password}, or {@code identitytoken}), else the {@code credsStore} helper. Keys may be
 * written as {@code host}, {@code https://host} or {@code https://host/v1/}.
 *
 * <p>{@link #save} and {@link #erase} write docker's file (keeping everything else in it), through its
 * {@code credsStore} or {@code credHelpers} helper when one is configured.
 */
public final class DockerConfig implements CredentialSource {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, String> env;
    private final List<Path> files;
    private final Path dockerFile;

    private DockerConfig(Map<String, String> env, List<Path> files, Path dockerFile) {
        this.env = Map.copyOf(env);
        this.files = List.copyOf(files);
        this.dockerFile = dockerFile;
    }

    /** The files of this process's environment and home directory. */
    public static DockerConfig fromEnvironment() {
        return of(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The files that {@code env} ({@code REGISTRY_AUTH_FILE}, {@code XDG_RUNTIME_DIR}, {@code DOCKER_CONFIG}, {@code PATH}) and {@code home} point to. */
    public static DockerConfig of(Map<String, String> env, Path home) {
        List<Path> files = new ArrayList<>();
        Optional.ofNullable(env.get("REGISTRY_AUTH_FILE")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(files::add);
        Optional.ofNullable(env.get("XDG_RUNTIME_DIR")).filter(s -> !s.isBlank())
                .map(dir -> Path.of(dir, "containers", "auth.json")).ifPresent(files::add);
        files.add(home.resolve(".config/containers/auth.json"));
        Path docker = Optional.ofNullable(env.get("DOCKER_CONFIG")).filter(s -> !s.isBlank())
                .map(dir -> Path.of(dir, "config.json")).orElse(home.resolve(".docker/config.json"));
        files.add(docker);
        return new DockerConfig(env, files, docker);
    }

    /** Only {@code file} (read and written), as {@code oras --registry-config}; {@code env} gives helpers their {@code PATH}. */
    public static DockerConfig file(Path file, Map<String, String> env) {
        return new DockerConfig(env, List.of(file), file);
    }

    /** Docker's config file, which {@link #save} and {@link #erase} write. */
    public Path dockerFile() {
        return dockerFile;
    }

    @Override
    public Optional<Credentials> find(String registry) {
        for (Path file : files) {
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

    private Optional<Credentials> find(JsonNode config, String registry) {
        Optional<String> helper = entry(config.path("credHelpers"), registry).map(JsonNode::asText);
        if (helper.isPresent()) {
            return new CredentialHelper(helper.get(), env).get(registry);
        }
        Optional<Credentials> inline = entry(config.path("auths"), registry).flatMap(DockerConfig::inline);
        if (inline.isPresent()) {
            return inline;
        }
        String store = config.path("credsStore").asText("");
        return store.isEmpty() ? Optional.empty() : new CredentialHelper(store, env).get(registry);
    }

    private static Optional<Credentials> inline(JsonNode auth) {
        if (!auth.path("identitytoken").asText("").isEmpty()) {
            return Optional.of(Credentials.identityToken(auth.path("identitytoken").asText()));
        }
        String encoded = auth.path("auth").asText("");
        if (!encoded.isEmpty()) {
            String decoded = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
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

    /** Stores {@code credentials} for {@code registry} in docker's file or its helper; returns where they went. */
    public String save(String registry, Credentials credentials) {
        ObjectNode config = read(dockerFile).map(ObjectNode.class::cast).orElseGet(JSON::createObjectNode);
        Optional<String> helper = entry(config.path("credHelpers"), registry).map(JsonNode::asText)
                .or(() -> Optional.of(config.path("credsStore").asText("")).filter(s -> !s.isEmpty()));
        ObjectNode auths = config.has("auths") && config.get("auths").isObject() ? (ObjectNode) config.get("auths")
                : config.putObject("auths");
        removeEntries(auths, registry);
        String where;
        if (helper.isPresent()) {
            CredentialHelper program = new CredentialHelper(helper.get(), env);
            program.store(registry, credentials);
            auths.putObject(registry);
            where = program.program();
        } else {
            ObjectNode entry = auths.putObject(registry);
            if (credentials.identityToken().isPresent()) {
                entry.put("identitytoken", credentials.identityToken().get());
            } else {
                entry.put("auth", Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                        .getBytes(StandardCharsets.UTF_8)));
            }
            where = dockerFile.toString();
        }
        write(config);
        return where;
    }

    /** Removes the credentials for {@code registry}; false when there were none. */
    public boolean erase(String registry) {
        Optional<JsonNode> read = read(dockerFile);
        if (read.isEmpty()) {
            return false;
        }
        ObjectNode config = (ObjectNode) read.get();
        boolean removed = false;
        Optional<String> helper = entry(config.path("credHelpers"), registry).map(JsonNode::asText)
                .or(() -> Optional.of(config.path("credsStore").asText("")).filter(s -> !s.isEmpty()));
        if (helper.isPresent()) {
            removed = new CredentialHelper(helper.get(), env).erase(registry);
        }
        if (config.get("auths") instanceof ObjectNode auths) {
            removed |= removeEntries(auths, registry);
        }
        write(config);
        return removed;
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
            case "index.docker.io", "registry-1.docker.io" -> "docker.io";
            default -> host;
        };
    }

    private static Optional<JsonNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(ObjectNode config) {
        try {
            Files.createDirectories(dockerFile.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(dockerFile.toAbsolutePath().getParent(), "config", ".json");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file inherits the directory's ACL
            }
            Files.writeString(temp, JSON.writeValueAsString(config) + "\n");
            Files.move(temp, dockerFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dockerFile + ": " + e.getMessage(), e);
        }
    }
}
