#!/usr/bin/env bash
# A Helm chart as Helm 3 stores it: config application/vnd.cncf.helm.config.v1+json (Chart.yaml as JSON) and the
# packaged chart as application/vnd.cncf.helm.chart.content.v1.tar+gzip.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

chart="$work/hello-world"
mkdir -p "$chart/templates"
cat > "$chart/Chart.yaml" <<'YAML'
apiVersion: v2
name: hello-world
description: A Helm chart that says hello
type: application
version: 1.0.0
appVersion: "1.0"
YAML
cat > "$chart/values.yaml" <<'YAML'
message: Hello, world!
YAML
cat > "$chart/templates/configmap.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hello
data:
  message: {{ .Values.message | quote }}
YAML
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$work/hello-world-1.0.0.tgz" hello-world
cat > "$work/config.json" <<'JSON'
{"name":"hello-world","version":"1.0.0","description":"A Helm chart that says hello","apiVersion":"v2","appVersion":"1.0","type":"application"}
JSON
cd "$work"
berth push --plain-http "$REGISTRY/samples/helm/hello-world:1.0" \
  --config config.json:application/vnd.cncf.helm.config.v1+json \
  hello-world-1.0.0.tgz:application/vnd.cncf.helm.chart.content.v1.tar+gzip
