#!/usr/bin/env bash
# Pushes every sample to ${REGISTRY:-127.0.0.1:5000}, then lists what the registry holds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for sample in image helm cnab arm ecs-task image-docs signature sbom; do
  echo "== $sample"
  bash "$here/$sample/push.sh"
done
. "$here/lib.sh"
berth ls --plain-http "$REGISTRY"
berth discover --plain-http "$REGISTRY/samples/image/hello-world:1.0"
