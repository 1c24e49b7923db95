#!/usr/bin/env bash
# Fetch the minified Cytoscape.js (the network library of the entity pages) and its licence into kg/web/ from
# the npm registry, at the version and checksum pinned here; `make install` runs it. The files are not kept in
# the repository; the served page loads them from the package (no CDN).
# Usage: bash scripts/vendor-cytoscape.sh   (needs npm; change VERSION and SHA256 together)
set -euo pipefail
VERSION=3.35.0
SHA256=71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94  # of dist/cytoscape.min.js
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "cytoscape@${VERSION}" >/dev/null
tar -xzf "cytoscape-${VERSION}.tgz"
echo "${SHA256}  package/dist/cytoscape.min.js" | sha256sum --check --quiet - || {
  echo "vendor-cytoscape.sh: cytoscape@${VERSION} does not have the pinned checksum; nothing written" >&2
  exit 2
}
{
  echo "Cytoscape.js ${VERSION} (npm package cytoscape), kg/web/cytoscape.min.js"
  echo
  cat package/LICENSE
} > "$WORK/LICENSE.txt"
# both files appear together or not at all
cp package/dist/cytoscape.min.js "$HERE/kg/web/.cytoscape.min.js.tmp"
cp "$WORK/LICENSE.txt" "$HERE/kg/web/.cytoscape.LICENSE.txt.tmp"
mv "$HERE/kg/web/.cytoscape.LICENSE.txt.tmp" "$HERE/kg/web/cytoscape.LICENSE.txt"
mv "$HERE/kg/web/.cytoscape.min.js.tmp" "$HERE/kg/web/cytoscape.min.js"
