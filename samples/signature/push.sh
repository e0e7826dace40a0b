#!/usr/bin/env bash
# A Notary Project signature of the image, attached as a referrer (artifactType application/vnd.cncf.notary.signature).
# The envelope is a placeholder: real ones come from `notation sign`.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

printf '{"payload":"eyJ0YXJnZXRBcnRpZmFjdCI6eyJtZWRpYVR5cGUiOiJzYW1wbGUifX0","protected":"eyJhbGciOiJQUzI1NiJ9","header":{"x5c":[]},"signature":"c2FtcGxl"}\n' \
  > "$work/signature.jws"
cd "$work"
berth attach --plain-http "$REGISTRY/samples/image/hello-world:1.0" \
  --artifact-type application/vnd.cncf.notary.signature \
  -a io.cncf.notary.x509chain.thumbprint#S256='["sample"]' \
  signature.jws:application/jose+json
