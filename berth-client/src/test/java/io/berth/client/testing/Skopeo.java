package io.berth.client.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real skopeo in a sandbox (its own HOME, policy, registries.conf and auth file); fails loudly. */
public final class Skopeo {
    private final Path dir;

    private Skopeo(Path dir) {
        this.dir = dir;
    }

    public static Skopeo sandbox(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
        Files.writeString(dir.resolve("registries.conf"), "unqualified-search-registries = []\n");
        Files.writeString(dir.resolve("auth.json"), "{\"auths\":{}}\n");
        return new Skopeo(dir);
    }

    /** Runs {@code skopeo ARGS} and returns its standard output; throws with the output when it fails. */
    public byte[] run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("skopeo", "--policy", dir.resolve("policy.json").toString(),
                "--registries-conf", dir.resolve("registries.conf").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("HOME", dir.resolve("home").toString());
        builder.environment().put("TMPDIR", dir.resolve("tmp").toString());
        builder.environment().put("REGISTRY_AUTH_FILE", dir.resolve("auth.json").toString());
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("skopeo timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + ":\n"
                    + Files.readString(dir.resolve("stderr.txt")) + new String(out, StandardCharsets.UTF_8));
        }
        return out;
    }
}
