package io.berth.cli;

import io.berth.client.artifact.FileSpec;
import io.berth.client.artifact.PushSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * What {@code push} and {@code attach} put into a manifest besides the files (which stay positional parameters of
 * each command, after its REF): a config, annotations; and whether to print only the digest.
 */
final class ContentOptions {
    @Option(names = "--config", paramLabel = "FILE[:MEDIATYPE]", description = "A config file instead of the empty descriptor.")
    String config;

    @Option(names = {"-a", "--annotation"}, paramLabel = "KEY=VALUE", description = "A manifest annotation (repeatable).")
    List<String> annotations = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "Print only the digest.")
    boolean quiet;

    PushSpec spec(Optional<String> artifactType, List<String> files) {
        return new PushSpec(artifactType, Optional.ofNullable(config).map(FileSpec::parse),
                files.stream().map(FileSpec::parse).toList(), Annotations.parse(annotations));
    }
}
