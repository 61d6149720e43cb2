#!/usr/bin/env bash
# Installs the npm packages the Beacon schema tests use (Ajv 8 + ajv-formats 3, as in
# ../shared/beacon-v2/package.json) into .cache/npm (git-ignored). Idempotent and quiet when
# present; tests that need them skip with a message when this could not run (offline).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=.cache/npm
if [ -f "$prefix/node_modules/ajv/package.json" ] && [ -f "$prefix/node_modules/ajv-formats/package.json" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "install-npm-deps: npm not found (scripts/install-deps.sh installs it)"; exit 1; }
mkdir -p "$prefix"
echo "install-npm-deps: installing ajv@8 ajv-formats@3 into $prefix"
npm install --silent --no-audit --no-fund --prefix "$prefix" ajv@8 ajv-formats@3 >/dev/null
