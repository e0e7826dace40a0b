#!/usr/bin/env bash
# A CNAB bundle as the OCI artifacts guidance (samples/README.md) sketches it: bundle.json as config application/vnd.deislabs.cnab.config.v1+json and a
# component layer application/vnd.deislabs.cnab.component.v1.tar+gzip.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cat > "$work/bundle.json" <<'JSON'
{"schemaVersion":"v1.0.0","name":"hello-world","version":"1.0.0","description":"A bundle that says hello",
 "invocationImages":[{"imageType":"docker","image":"127.0.0.1:5000/samples/image/hello-world:1.0"}],
 "actions":{"install":{"modifies":true},"uninstall":{"modifies":true}}}
JSON
mkdir -p "$work/component"
printf 'echo "Hello from a CNAB component"\n' > "$work/component/run.sh"
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$work/component.tar.gz" component
cd "$work"
berth push --plain-http "$REGISTRY/samples/cnab/hello-world:1.0" \
  --config bundle.json:application/vnd.deislabs.cnab.config.v1+json \
  component.tar.gz:application/vnd.deislabs.cnab.component.v1.tar+gzip
