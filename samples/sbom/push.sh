#!/usr/bin/env bash
# An SPDX SBOM of the image, attached as a referrer (artifactType application/spdx+json).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cat > "$work/sbom.spdx.json" <<'JSON'
{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "samples/image/hello-world:1.0",
  "documentNamespace": "https://berth.example/spdx/samples/image/hello-world-1.0",
  "creationInfo": {"created": "2019-01-25T00:00:00Z", "creators": ["Tool: berth-samples"]},
  "packages": [{"SPDXID": "SPDXRef-hello", "name": "hello.txt", "versionInfo": "1.0", "downloadLocation": "NOASSERTION"}]
}
JSON
cd "$work"
berth attach --plain-http "$REGISTRY/samples/image/hello-world:1.0" \
  --artifact-type application/spdx+json \
  sbom.spdx.json:application/spdx+json
