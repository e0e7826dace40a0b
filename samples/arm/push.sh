#!/usr/bin/env bash
# An Azure Resource Manager template, typed as the OCI artifacts guidance (samples/README.md) proposes: config and layer application/vnd.microsoft.arm.template.v1+json.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cat > "$work/azuredeploy.json" <<'JSON'
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"message": {"type": "string", "defaultValue": "Hello, world!"}},
  "resources": [],
  "outputs": {"message": {"type": "string", "value": "[parameters('message')]"}}
}
JSON
cd "$work"
berth push --plain-http "$REGISTRY/samples/arm/hello-world:1.0" \
  --config azuredeploy.json:application/vnd.microsoft.arm.template.v1+json \
  azuredeploy.json:application/vnd.microsoft.arm.template.v1+json
