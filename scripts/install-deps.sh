#!/usr/bin/env bash
# Installs every Debian package that genomefed's build, tests, benchmarks and demo need.
# Idempotent and quiet when everything is already present. Run as root (or with sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang-format
  # libraries (libhts-dev pulls libcurl4-gnutls-dev, which conflicts with the OpenSSL flavour)
  libhts-dev libsodium-dev libssl-dev libcurl4-gnutls-dev libboost-dev libboost-system-dev
  libsqlite3-dev libpq-dev libpqxx-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev libroaring-dev zlib1g-dev
  libdeflate-dev libisal-dev
  # tools used by tests, benchmarks and the demo
  bcftools tabix curl postgresql wrk nginx-light hyperfine python3 time
  # the portal's browser tests (Playwright drives Debian's Chromium)
  chromium
)
# Node.js may come from another source that bundles npm (nodesource); only add Debian's if absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
