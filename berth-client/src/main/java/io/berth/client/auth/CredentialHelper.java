package io.berth.client.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A docker credential helper {@code docker-credential-<name>} (the docker-credential-helpers protocol): the program is
 * found on {@code PATH}, run with {@code get}, {@code store} or {@code erase}, the server URL or a JSON document on
 * standard input, and answers JSON {@code {"ServerURL","Username","Secret"}} on standard output.
 */
final class CredentialHelper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOT_FOUND = "credentials not found";

    private final String name;
    private final Map<String, String> env;

    CredentialHelper(String name, Map<String, String> env) {
        this.name = name;
        this.env = env;
    }

    Optional<Credentials> get(String serverUrl) {
        Result result = run("get", serverUrl);
        if (result.exit != 0) {
            if (result.out.toLowerCase().contains(NOT_FOUND)) {
                return Optional.empty();
            }
            throw new UncheckedIOException(new IOException(program() + " get failed (" + result.exit + "): " + result.out.trim()));
        }
        try {
            JsonNode answer = JSON.readTree(result.out);
            String user = answer.path("Username").asText("");
            String secret = answer.path("Secret").asText("");
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(user.equals(Credentials.TOKEN_USER) ? Credentials.identityToken(secret)
                    : Credentials.basic(user, secret));
        } catch (IOException e) {
            throw new UncheckedIOException(program() + " answered something other than JSON", e);
        }
    }

    void store(String serverUrl, Credentials credentials) {
        ObjectNode doc = JSON.createObjectNode().put("ServerURL", serverUrl)
                .put("Username", credentials.username())
                .put("Secret", credentials.identityToken().orElse(credentials.password()));
        Result result = run("store", doc.toString());
        if (result.exit != 0) {
            throw new UncheckedIOException(new IOException(program() + " store failed (" + result.exit + "): " + result.out.trim()));
        }
    }

    boolean erase(String serverUrl) {
        return run("erase", serverUrl).exit == 0;
    }

    String program() {
        return "docker-credential-" + name;
    }

    private record Result(int exit, String out) {
    }

    private Result run(String action, String input) {
        Path executable = executable().orElseThrow(() -> new UncheckedIOException(new IOException(program()
                + " is configured in the docker config but not on PATH; install it or remove it from the config")));
        try {
            ProcessBuilder builder = new ProcessBuilder(executable.toString(), action).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(program() + " did not finish within 60 s");
            }
            return new Result(process.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running " + program()));
        }
    }

    /** The helper on the {@code PATH} of {@code env} (not of this JVM, so that callers can choose). */
    private Optional<Path> executable() {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program());
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
