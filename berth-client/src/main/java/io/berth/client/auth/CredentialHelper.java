package io.berth.client.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A docker credential helper {@code docker-credential-<name>} (the docker-credential-helpers protocol): the program is
 * found on the {@code PATH} of the environment given, run with {@code get}, {@code store} or {@code erase}, the server
 * URL or a {@code {"ServerURL","Username","Secret"}} document on standard input; {@code get} answers that document on
 * standard output, the user name {@code <token>} meaning the secret is an identity token. A helper that does not know
 * the server exits non-zero saying {@code credentials not found}; any other failure is reported as one line naming the
 * helper, the action and what it said.
 */
final class CredentialHelper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOT_FOUND = "credentials not found";
    private static final long TIMEOUT_SECONDS = 60;

    private final String name;
    private final Map<String, String> env;

    CredentialHelper(String name, Map<String, String> env) {
        this.name = name;
        this.env = env;
    }

    Optional<Credentials> get(String serverUrl) {
        Result result = run("get", serverUrl);
        if (result.exit != 0) {
            if (result.notFound()) {
                return Optional.empty();
            }
            throw failed("get", serverUrl, result);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(result.out);
        } catch (IOException e) {
            throw new UncheckedIOException(program() + " get " + serverUrl + " answered something other than JSON: "
                    + firstLine(result.out), e);
        }
        String user = answer.path("Username").asText("");
        String secret = answer.path("Secret").asText("");
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(user.equals(Credentials.TOKEN_USER) ? Credentials.identityToken(secret)
                : Credentials.basic(user, secret));
    }

    void store(String serverUrl, Credentials credentials) {
        ObjectNode doc = JSON.createObjectNode().put("ServerURL", serverUrl)
                .put("Username", credentials.username())
                .put("Secret", credentials.identityToken().orElse(credentials.password()));
        Result result = run("store", doc.toString());
        if (result.exit != 0) {
            throw failed("store", serverUrl, result);
        }
    }

    /** False when the helper had nothing for {@code serverUrl}. */
    boolean erase(String serverUrl) {
        Result result = run("erase", serverUrl);
        if (result.exit == 0) {
            return true;
        }
        if (result.notFound()) {
            return false;
        }
        throw failed("erase", serverUrl, result);
    }

    String program() {
        return "docker-credential-" + name;
    }

    private record Result(int exit, String out, String err) {
        boolean notFound() {
            return (out + err).toLowerCase(Locale.ROOT).contains(NOT_FOUND);
        }
    }

    private UncheckedIOException failed(String action, String serverUrl, Result result) {
        String said = firstLine(result.out.isBlank() ? result.err : result.out);
        return new UncheckedIOException(program() + " " + action + " " + serverUrl + " failed (exit " + result.exit + ")"
                + (said.isEmpty() ? "" : ": " + said), new IOException(result.out + result.err));
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("");
    }

    private Result run(String action, String input) {
        Path executable = executable().orElseThrow(() -> new UncheckedIOException(program()
                + " is configured in the credentials file but is not on PATH; install it or remove it from the file",
                new IOException("not on PATH: " + program())));
        Process process = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(executable.toString(), action);
            builder.environment().clear();
            builder.environment().putAll(env);
            process = builder.start();
            // both streams are drained while the helper runs, so a chatty helper cannot block on a full pipe
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            } catch (IOException closedEarly) {
                // a helper may exit without reading its input; its exit code says what happened
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new UncheckedIOException(program() + " " + action + " did not finish within " + TIMEOUT_SECONDS
                        + " s", new IOException("timeout"));
            }
            return new Result(process.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new UncheckedIOException("interrupted while running " + program(), new IOException(e));
        } catch (ExecutionException e) {
            throw new UncheckedIOException("cannot read the output of " + program() + ": " + e.getCause().getMessage(),
                    new IOException(e.getCause()));
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, CredentialHelper::daemon);
    }

    /** A thread per stream: the common pool may have a single thread, and both streams block until the helper exits. */
    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "credential-helper-output");
        thread.setDaemon(true);
        thread.start();
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
