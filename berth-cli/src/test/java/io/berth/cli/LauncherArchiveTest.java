package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/berth}'s class-data archive for {@code serve}: recorded at the first start, mapped at the next ones, and
 * recorded anew when the jar is no longer the one it was made from, even if the archive looks newer (the JVM would
 * ignore it silently). Runs the launcher on a small jar whose main prints its JVM options and whether the archive is
 * mapped into the process.
 */
class LauncherArchiveTest {
    private static final Path LAUNCHER = Path.of("..", "bin", "berth").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path jar;
    private Path archive;

    @BeforeEach
    void buildJar() throws Exception {
        Path source = Files.writeString(dir.resolve("Probe.java"), """
                public class Probe {
                    public static void main(String[] args) throws Exception {
                        String maps = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/maps"));
                        System.out.println(maps.contains("berth.jar.jsa") ? "archive mapped" : "archive not mapped");
                        System.out.println(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
                        System.out.println("jar " + Probe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
                    }
                }
                """);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", dir.toString(), source.toString())).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Probe");
        jar = dir.resolve("berth.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("Probe.class"));
            out.write(Files.readAllBytes(dir.resolve("Probe.class")));
            out.closeEntry();
        }
        archive = dir.resolve("berth.jar.jsa");
    }

    @Test
    void recordsTheArchiveOnceAndMapsItAfterwards() throws Exception {
        assertThat(serve()).contains("-XX:ArchiveClassesAtExit=" + archive).contains("archive not mapped");
        assertThat(archive).isRegularFile();

        assertThat(serve()).contains("-XX:SharedArchiveFile=" + archive).contains("archive mapped");
        assertThat(serve()).contains("-XX:SharedArchiveFile=" + archive).contains("archive mapped");
    }

    @Test
    void recordsAgainWhenTheJarChangedEvenIfTheArchiveLooksNewer() throws Exception {
        serve();
        FileTime jarTime = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(jarTime.toMillis() + 10_000));
        Files.setLastModifiedTime(archive, FileTime.fromMillis(jarTime.toMillis() + 20_000)); // as a copy of both would

        assertThat(serve()).contains("-XX:ArchiveClassesAtExit=" + archive);
        assertThat(serve()).contains("-XX:SharedArchiveFile=" + archive).contains("archive mapped");
    }

    @Test
    void recordsAgainWhenTheJarMovedSinceJava17MapsAnArchiveOnlyForTheJarPathThatRecordedIt() throws Exception {
        serve();
        Path moved = Files.createDirectories(dir.resolve("moved"));
        for (String file : List.of("berth.jar", "berth.jar.jsa", "berth.jar.jsa.stamp")) {
            Files.copy(dir.resolve(file), moved.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        jar = moved.resolve("berth.jar");
        archive = moved.resolve("berth.jar.jsa");

        assertThat(serve()).contains("-XX:ArchiveClassesAtExit=" + archive);
        assertThat(serve()).contains("-XX:SharedArchiveFile=" + archive).contains("archive mapped");
    }

    @Test
    void anUnpackedDistributionRunsItsOwnJarThroughALinkOnThePath() throws Exception {
        Path home = dir.resolve("opt/berth-1.0");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.copy(LAUNCHER, home.resolve("bin/berth"));
        Files.copy(jar, home.resolve("lib/berth.jar"));
        Path onPath = Files.createDirectories(dir.resolve("path"));
        Files.createSymbolicLink(onPath.resolve("berth"), Path.of("../opt/berth-1.0/bin/berth")); // relative, as ln -s makes

        ProcessBuilder launcher = new ProcessBuilder("sh", onPath.resolve("berth").toString(), "version").redirectErrorStream(true);
        launcher.environment().remove("BERTH_JAR");
        Process process = launcher.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(out).as(out).contains("jar " + home.resolve("lib/berth.jar"));
    }

    @Test
    void onlyServeUsesTheArchiveAndItCanBeTurnedOff() throws Exception {
        assertThat(run(List.of("version"), "")).doesNotContain("Archive");
        assertThat(run(List.of("serve"), "off")).doesNotContain("Archive");
        assertThat(archive).doesNotExist();

        assertThat(run(List.of("selftest"), "record")).contains("-XX:ArchiveClassesAtExit=" + archive);
        assertThat(serve()).contains("-XX:SharedArchiveFile=" + archive).contains("archive mapped");
    }

    private String serve() throws Exception {
        return run(List.of("serve"), "");
    }

    /** Runs the launcher with BERTH_JAR at the probe jar; its output. */
    private String run(List<String> args, String cds) throws Exception {
        ProcessBuilder launcher = new ProcessBuilder(concat(List.of("sh", LAUNCHER.toString()), args)).redirectErrorStream(true);
        launcher.environment().put("BERTH_JAR", jar.toString());
        launcher.environment().remove("BERTH_JAVA_OPTS");
        if (cds.isEmpty()) {
            launcher.environment().remove("BERTH_CDS");
        } else {
            launcher.environment().put("BERTH_CDS", cds);
        }
        Process process = launcher.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
