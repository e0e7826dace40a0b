package io.berth.server.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The seed listing and a few more artifacts for the web UI's tests (io.berth.server.ui), which live in another
 * package: a public face over the package-private {@link SeedListing} and {@link RegistryHttp}.
 */
public final class UiSeed {
    public static final String IMAGE = SeedListing.IMAGE;
    public static final String HELM = SeedListing.HELM;
    public static final String CNAB = SeedListing.CNAB;
    public static final String ARM = SeedListing.ARM;
    public static final String ECS = SeedListing.ECS;
    public static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    public static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    private final RegistryHttp http;

    public UiSeed(URI registry) {
        this.http = new RegistryHttp(registry);
    }

    /** Pushes the seed's listing; answers the digest of the multi-platform image index. */
    public String pushSeed() {
        return SeedListing.push(http).imageIndex.digest();
    }

    /** Repository → expected type id of its {@code 1.0}. */
    public static Map<String, String> expectedTypes() {
        return SeedListing.expectedTypes();
    }

    /** An OCI image (config + one random layer) under {@code tag}; answers its digest. */
    public String pushImage(String repository, String tag) {
        return http.pushImage(repository, tag).digest();
    }

    /**
     * An OCI image (a config of its own and {@code layer}) under {@code tag}; the same layer pushed to two repositories
     * is one blob that both link. Answers the manifest's digest.
     */
    public String pushImageWithLayer(String repository, String tag, byte[] layer) {
        RegistryHttp.Descriptor config = http.pushBlob(repository, RegistryHttp.OCI_CONFIG, ("{\"architecture\":\"amd64\","
                + "\"os\":\"linux\",\"repository\":\"" + repository + "\"}").getBytes(StandardCharsets.UTF_8));
        byte[] manifest = RegistryHttp.ImageManifest.of(config).layer(http.pushBlob(repository, layer)).json();
        return http.pushManifest(repository, tag, RegistryHttp.OCI_MANIFEST, manifest).digest();
    }

    /** An artifact with a config of {@code configType} and one layer of {@code layerType} under {@code tag}. */
    public String pushArtifact(String repository, String tag, String configType, String layerType) {
        RegistryHttp.Descriptor config = http.pushBlob(repository, configType,
                "{\"name\":\"chart\",\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));
        RegistryHttp.Descriptor layer = http.pushBlob(repository, layerType, RegistryHttp.randomBytes(512));
        byte[] manifest = RegistryHttp.ImageManifest.of(config).layer(layer).json();
        return http.pushManifest(repository, tag, RegistryHttp.OCI_MANIFEST, manifest).digest();
    }

    /** A cosign-style signature (untagged) whose subject is the manifest {@code subjectDigest}; answers its digest. */
    public String pushSignature(String repository, String subjectDigest) {
        java.net.http.HttpResponse<byte[]> subject = http.getManifest(repository, subjectDigest);
        RegistryHttp.Descriptor config = http.pushBlob(repository, RegistryHttp.OCI_EMPTY, RegistryHttp.EMPTY_JSON);
        RegistryHttp.Descriptor layer = http.pushBlob(repository, "application/vnd.dev.cosign.simplesigning.v1+json",
                RegistryHttp.randomBytes(128));
        RegistryHttp.ImageManifest signature = RegistryHttp.ImageManifest.of(config).layer(layer)
                .artifactType("application/vnd.dev.cosign.artifact.sig.v1+json")
                .subject(new RegistryHttp.Descriptor(RegistryHttp.contentType(subject), subjectDigest, subject.body().length));
        return http.pushManifest(repository, RegistryHttp.sha256(signature.json()), RegistryHttp.OCI_MANIFEST,
                signature.json()).digest();
    }

    /** Tags an existing manifest again (cheap: no blobs move). */
    public void tag(String repository, String digest, String tag) {
        byte[] manifest = http.getManifest(repository, digest).body();
        http.pushManifest(repository, tag, RegistryHttp.OCI_MANIFEST, manifest);
    }
}
