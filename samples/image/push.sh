#!/usr/bin/env bash
# A multi-platform "hello world" image: one tiny linux/amd64 and one windows/amd64 image (an image config and one
# gzipped tar layer each), tagged 1.0-linux-amd64 and 1.0-windows-amd64, and an OCI image index over both tagged 1.0.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
repo="$REGISTRY/samples/image/hello-world"

image() { # os os.version
  local os="$1" dir="$work/$1" version=""
  if [ -n "${2:-}" ]; then version=",\"os.version\":\"$2\""; fi
  mkdir -p "$dir/rootfs"
  printf 'Hello from %s!\n' "$os" > "$dir/rootfs/hello.txt"
  tar -C "$dir/rootfs" --owner=0 --group=0 --numeric-owner --mtime=2019-01-25 -cf "$dir/layer.tar" hello.txt
  local diff_id="sha256:$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)"
  gzip -n -9 "$dir/layer.tar"
  cat > "$dir/config.json" <<JSON
{"architecture":"amd64","os":"$os"$version,"config":{"Cmd":["cat","/hello.txt"]},"rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created_by":"berth samples/image/push.sh"}]}
JSON
  (cd "$dir" && berth push --plain-http "$repo:1.0-$os-amd64" \
    --config config.json:application/vnd.oci.image.config.v1+json \
    layer.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip)
}

image linux
image windows 10.0.20348.2113
berth manifest index create --plain-http "$repo:1.0" 1.0-linux-amd64 1.0-windows-amd64
