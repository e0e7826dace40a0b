/**
 * The artifact author's API: {@link io.berth.client.artifact.Artifacts} pushes files and directories as artifacts,
 * pulls them, copies them with all platforms and referrers, attaches and discovers referrers, and types tags with the
 * artifact type catalog.
 */
package io.berth.client.artifact;
