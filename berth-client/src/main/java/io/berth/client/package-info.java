/**
 * Berth's client SDK for any OCI registry. {@link io.berth.client.RegistryClient} makes every distribution-spec call
 * (one package-private class per call: {@code BlobChecker}, {@code BlobPusher}, {@code ManifestPuller} …, over one
 * {@code Transport}); {@link io.berth.client.artifact.Artifacts} pushes, pulls, copies, attaches and discovers
 * artifacts; {@link io.berth.client.layout.OciLayout} reads and writes OCI image layouts; authentication lives in
 * {@link io.berth.client.auth}.
 */
package io.berth.client;
