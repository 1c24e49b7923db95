#!/usr/bin/env bash
# Install the Debian packages the full test suite needs (headless Chromium and its WebDriver; Firefox ESR, which the
# page tests drive over WebDriver BiDi without geckodriver; a JDK, whose javac compiles the small OWL API bridge
# kg/java/LatticeOwl.java), idempotently.
# Runs as root without questions; returns at once when everything is already installed.
set -euo pipefail

PACKAGES=(chromium chromium-driver firefox-esr openjdk-17-jdk-headless)
# Optional: Virtuoso for the second third-party store test (set LATTICE_WITH_VIRTUOSO=1).
if [ "${LATTICE_WITH_VIRTUOSO:-0}" = "1" ]; then
  PACKAGES+=(virtuoso-opensource-7-bin)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${PACKAGES[*]}"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "missing system packages: ${missing[*]} (run this script as root to install them)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing: ${missing[*]}"
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
