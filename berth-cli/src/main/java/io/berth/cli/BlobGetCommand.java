package io.berth.cli;

import io.berth.client.RegistryClient;
import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.oci.Descriptor;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth blob get HOST/REPOSITORY@DIGEST [-o FILE]}, as {@code oras blob fetch}. */
@Command(name = "get", aliases = "fetch", mixinStandardHelpOptions = true,
        description = "Downloads a blob, verified against its digest, to a file or standard output.")
final class BlobGetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF", description = "HOST/REPOSITORY@DIGEST.")
    String ref;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (default: standard output).")
    Path output;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Artifacts artifacts = remote.artifacts()) {
            ArtifactRef parsed = ArtifactRef.parse(ref);
            if (!(parsed.requireReference() instanceof Reference.ByDigest digest)) {
                throw ErrorCode.DIGEST_INVALID.exception("a blob is named by digest: HOST/REPOSITORY@sha256:…");
            }
            RegistryClient client = artifacts.client(parsed.registry());
            long size = client.blobSize(parsed.repository(), digest.digest()).orElseThrow(() -> new io.berth.client.RegistryClientException(
                    ErrorCode.BLOB_UNKNOWN, 404, ref + " does not exist"));
            Descriptor blob = Descriptor.of(MediaTypes.OCTET_STREAM, digest.digest(), size);
            if (output != null) {
                client.pullBlob(parsed.repository(), blob, output, n -> { });
                spec.commandLine().getErr().println("Wrote " + size + " bytes to " + output);
                spec.commandLine().getErr().flush();
            } else {
                try (InputStream in = client.openBlob(parsed.repository(), blob).orElseThrow()) {
                    OutputStream stdout = System.out;
                    in.transferTo(stdout);
                    stdout.flush();
                }
            }
        }
        return ExitCodes.OK;
    }
}
