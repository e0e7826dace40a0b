/**
 * Retention policies (issue #18): which tags and manifests go, by repository, artifact type, tag, age, last pull and
 * count; a dry run that says what and why; runs on demand and on a schedule, one at a time across nodes. The rules
 * and how they combine are in {@link io.berth.server.retention.Planner} and docs/storage.md.
 */
package io.berth.server.retention;
