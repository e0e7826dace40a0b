#!/bin/sh
# Writes what `berth --version` reports into the jar's resources: the project's version and the git commit it was built
# from (with "-dirty" when the checkout had changes). Outside a git checkout, or without git, the commit is "unknown".
# Usage: build-info.sh OUTPUT-FILE VERSION SOURCE-DIRECTORY
out=$1
version=$2
commit=$(git -C "$3" describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null) || commit=unknown
mkdir -p "$(dirname -- "$out")"
printf 'version=%s\ncommit=%s\n' "$version" "${commit:-unknown}" > "$out"
