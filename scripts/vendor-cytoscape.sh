#!/usr/bin/env bash
# Copy the minified Cytoscape.js (the network library of the entity pages) and its licence into kg/web/,
# from the npm registry, at the version pinned here. The served page loads it from the package (no CDN).
# Usage: bash scripts/vendor-cytoscape.sh   (needs npm; run again after changing VERSION)
set -euo pipefail
VERSION=3.35.0
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "cytoscape@${VERSION}" >/dev/null
tar -xzf "cytoscape-${VERSION}.tgz"
cp package/dist/cytoscape.min.js "$HERE/kg/web/cytoscape.min.js"
{
  echo "Cytoscape.js ${VERSION} (npm package cytoscape), kg/web/cytoscape.min.js"
  echo
  cat package/LICENSE
} > "$HERE/kg/web/cytoscape.LICENSE.txt"
sha256sum "$HERE/kg/web/cytoscape.min.js"
