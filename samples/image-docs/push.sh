#!/usr/bin/env bash
# Docs for the image, attached as a referrer: config application/vnd.oci.doc.config.v1+json, a tar of markdown as
# application/vnd.oci.doc.layer.v1.tar (the docs proposal of the OCI artifacts guidance, samples/README.md).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -p "$work/docs"
printf '# hello-world\n\nRun it: `docker run --rm %s/samples/image/hello-world:1.0`\n' "$REGISTRY" > "$work/docs/README.md"
printf '# Changes\n\n## 1.0\nFirst release.\n' > "$work/docs/CHANGELOG.md"
tar -C "$work" --owner=0 --group=0 --numeric-owner -cf "$work/docs.tar" docs
printf '{"title":"hello-world documentation","format":"markdown"}\n' > "$work/doc-config.json"
cd "$work"
berth attach --plain-http "$REGISTRY/samples/image/hello-world:1.0" \
  --artifact-type application/vnd.oci.doc.config.v1+json \
  --config doc-config.json:application/vnd.oci.doc.config.v1+json \
  docs.tar:application/vnd.oci.doc.layer.v1.tar
