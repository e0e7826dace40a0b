package io.berth.server.api;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.api.RegistryHttp.ImageManifest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Pushes the seed's registry listing (../shared/reference/seed/README.md "Registry Listing"): a multi-platform image
 * with linux and windows images, a Helm chart, a CNAB bundle, an ARM template and an ECS task, each as
 * {@code samples/<kind>/hello-world:1.0}, plus image docs, a cosign signature and an SPDX SBOM attached to the image.
 */
final class SeedListing {
    static final String IMAGE = "samples/image/hello-world";
    static final String HELM = "samples/helm/hello-world";
    static final String CNAB = "samples/cnab/hello-world";
    static final String ARM = "samples/arm/hello-world";
    static final String ECS = "samples/ecs-task/hello-world";

    final Descriptor imageIndex;

    private SeedListing(Descriptor imageIndex) {
        this.imageIndex = imageIndex;
    }

    static SeedListing push(RegistryHttp http) {
        Descriptor linux = platformImage(http, "linux");
        Descriptor windows = platformImage(http, "windows");
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + child(linux, "linux") + "," + child(windows, "windows") + "],"
                + "\"annotations\":{\"org.opencontainers.image.title\":\"Hello, world\","
                + "\"org.opencontainers.image.version\":\"1.0\"}}").getBytes(StandardCharsets.UTF_8);
        Descriptor imageIndex = http.pushManifest(IMAGE, "1.0", RegistryHttp.OCI_INDEX, index);

        artifact(http, HELM, "application/vnd.cncf.helm.config.v1+json", "application/vnd.cncf.helm.chart.content.v1.tar+gzip", null, null);
        artifact(http, CNAB, "application/vnd.deislabs.cnab.config.v1+json", "application/vnd.cnab.bundle.v1+json", null, null);
        artifact(http, ARM, "application/vnd.microsoft.arm.template.v1+json", "application/vnd.microsoft.arm.template.layer.v1+json", null, null);
        artifact(http, ECS, "application/vnd.aws.ecs.task.v1+json", "application/vnd.aws.ecs.task.layer.v1+json", null, null);

        artifact(http, IMAGE, "application/vnd.oci.doc.config.v1+json", "text/markdown", imageIndex, null);
        artifact(http, IMAGE, RegistryHttp.OCI_EMPTY, "application/vnd.dev.cosign.simplesigning.v1+json", imageIndex,
                "application/vnd.dev.cosign.artifact.sig.v1+json");
        artifact(http, IMAGE, RegistryHttp.OCI_EMPTY, "application/spdx+json", imageIndex, "application/spdx+json");
        return new SeedListing(imageIndex);
    }

    private static Descriptor platformImage(RegistryHttp http, String os) {
        Descriptor config = http.pushBlob(IMAGE, RegistryHttp.OCI_CONFIG,
                ("{\"architecture\":\"amd64\",\"os\":\"" + os + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                        .getBytes(StandardCharsets.UTF_8));
        Descriptor layer = http.pushBlob(IMAGE, RegistryHttp.OCI_LAYER, RegistryHttp.randomBytes(1024));
        return http.pushManifest(IMAGE, RegistryHttp.sha256(ImageManifest.of(config).layer(layer).json()),
                RegistryHttp.OCI_MANIFEST, ImageManifest.of(config).layer(layer).json());
    }

    private static String child(Descriptor manifest, String os) {
        return "{\"mediaType\":\"" + manifest.mediaType() + "\",\"digest\":\"" + manifest.digest() + "\",\"size\":"
                + manifest.size() + ",\"platform\":{\"os\":\"" + os + "\",\"architecture\":\"amd64\"}}";
    }

    /** An artifact with one config and one layer; a referrer when {@code subject} is given (then untagged). */
    private static void artifact(RegistryHttp http, String repository, String configType, String layerType,
                                 Descriptor subject, String artifactType) {
        byte[] configBytes = configType.equals(RegistryHttp.OCI_EMPTY) ? RegistryHttp.EMPTY_JSON
                : ("{\"name\":\"hello-world\",\"version\":\"1.0\"}").getBytes(StandardCharsets.UTF_8);
        Descriptor config = http.pushBlob(repository, configType, configBytes);
        Descriptor layer = http.pushBlob(repository, layerType, RegistryHttp.randomBytes(256));
        ImageManifest manifest = ImageManifest.of(config).layer(layer)
                .annotation("org.opencontainers.image.description", "hello-world sample");
        if (artifactType != null) {
            manifest = manifest.artifactType(artifactType);
        }
        if (subject != null) {
            manifest = manifest.subject(subject);
            http.pushManifest(repository, RegistryHttp.sha256(manifest.json()), RegistryHttp.OCI_MANIFEST, manifest.json());
        } else {
            http.pushManifest(repository, "1.0", RegistryHttp.OCI_MANIFEST, manifest.json());
        }
    }

    static Map<String, String> expectedTypes() {
        return Map.of(IMAGE, "oci-image-index", HELM, "helm-chart", CNAB, "cnab-bundle", ARM, "arm-template",
                ECS, "ecs-task");
    }
}
