#!/usr/bin/env bash
# Fetch the browser files listed in scripts/vendor-npm.list (network library, SPARQL editor, chart libraries, the
# accessibility checker of the tests) from the npm registry at their pinned versions and checksums; `make install`
# runs it. The files are not kept in the repository; the served pages load them from the package (no CDN).
# Usage: bash scripts/vendor-npm.sh [LIST [ROOT]]   (needs npm; change a version and its checksums together in the
# list; destinations are relative to ROOT, the repository by default)
# Every file of the list is checked before any is written; all are written or none.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
LIST="${1:-$HERE/scripts/vendor-npm.list}"
ROOT="${2:-$HERE}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
declare -A unpacked=()
entries=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  line="${line%%#*}"
  [ -z "${line//[[:space:]]/}" ] && continue
  read -r pkg version file sha dest extra <<<"$line"
  if [ -z "${dest:-}" ] || [ -n "${extra:-}" ] || ! [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || [[ "$dest" == /* ]] \
     || [[ "$dest" == *..* ]] || [[ "$file" == /* ]] || [[ "$file" == *..* ]]; then
    echo "$LIST:$lineno:1: expected 'package version file sha256 destination' (relative paths, 64 hex digits)" >&2
    exit 2
  fi
  dir="$WORK/$(echo "$pkg@$version" | tr '/@' '__')"
  if [ -z "${unpacked[$dir]:-}" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null && tar -xzf ./*.tgz) || {
      echo "$LIST:$lineno:1: npm pack $pkg@$version failed; nothing written" >&2
      exit 2
    }
    unpacked[$dir]=1
  fi
  if ! echo "$sha  $dir/package/$file" | sha256sum --check --quiet - 2>/dev/null; then
    echo "$LIST:$lineno:1: $pkg@$version $file does not have the pinned checksum; nothing written" >&2
    exit 2
  fi
  entries+=("$dir/package/$file|$ROOT/$dest")
done <"$LIST"
# all files checked: copy each beside its destination, then rename into place
for e in "${entries[@]}"; do
  src="${e%%|*}"; dst="${e#*|}"
  mkdir -p "$(dirname "$dst")"
  cp "$src" "$dst.tmp-$$"
done
for e in "${entries[@]}"; do
  dst="${e#*|}"
  mv "$dst.tmp-$$" "$dst"
done
echo "vendored ${#entries[@]} files from the npm registry ($LIST)"
