# Shared by the sample scripts: where the registry is and how to run berth.
#   REGISTRY  host:port of the registry (default 127.0.0.1:5000, plain HTTP)
#   BERTH     the berth command (default: java -jar berth-cli/target/berth.jar of this checkout)
REGISTRY="${REGISTRY:-127.0.0.1:5000}"
if [ -z "${BERTH:-}" ]; then
  BERTH="java -jar $(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/berth-cli/target/berth.jar"
fi
berth() {
  # shellcheck disable=SC2086 # BERTH is a command line
  $BERTH "$@"
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
