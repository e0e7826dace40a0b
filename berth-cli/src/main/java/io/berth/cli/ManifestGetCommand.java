package io.berth.cli;

import io.berth.client.FetchedManifest;
import io.berth.client.RegistryClientException;
import io.berth.client.artifact.Artifacts;
import io.berth.client.ManifestJson;
import io.berth.oci.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth manifest get REF}: the manifest's exact bytes, or its descriptor. */
@Command(name = "get", aliases = "fetch", mixinStandardHelpOptions = true,
        description = "Prints a manifest exactly as the registry holds it.")
final class ManifestGetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY:TAG, …@DIGEST or oci:DIR:TAG.")
    String ref;

    @Option(names = "--descriptor", description = "Print the descriptor (media type, digest, size) instead.")
    boolean descriptor;

    @Option(names = "--pretty", description = "Indent the JSON (the bytes printed are then not the digested ones).")
    boolean pretty;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try (Artifacts artifacts = remote.artifacts()) {
            Location location = Location.parse(ref, artifacts);
            FetchedManifest manifest = location.store().manifest(location.requireReference())
                    .orElseThrow(() -> new RegistryClientException(ErrorCode.MANIFEST_UNKNOWN, 404, ref + " does not exist"));
            if (descriptor) {
                Output.printJson(out, ManifestJson.descriptor(manifest.descriptor()));
            } else if (pretty) {
                Output.printJson(out, Output.mapper().readTree(manifest.bytes()));
            } else {
                out.println(new String(manifest.bytes(), StandardCharsets.UTF_8));
                out.flush();
            }
        }
        return ExitCodes.OK;
    }
}
