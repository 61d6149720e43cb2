#!/usr/bin/env bash
# Builds the discovery portal (portal/: TypeScript + Vite) into portal/dist, which the hub serves
# at /. Runs `npm install` (not `npm ci`: the lock file may move with the registry) and
# `npm run build` (type check + Vite). Quiet and fast when dist is newer than every source.
# Without npm or the registry, it says so and exits 0: the hub then serves a page saying how to
# build the portal, and the API is unaffected (the browser tests need the portal and fail).
set -euo pipefail
cd "$(dirname "$0")/../portal"
if [ -f dist/index.html ] && [ -z "$(find src index.html package.json vite.config.ts -newer dist/index.html 2>/dev/null | head -1)" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "build-portal: npm not found; the hub will serve no portal (scripts/install-deps.sh installs npm)"; exit 0; }
if [ ! -d node_modules/vite ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "build-portal: npm install (portal/)"
  npm install --silent --no-audit --no-fund >/dev/null || { echo "build-portal: npm install failed; the hub will serve no portal"; exit 0; }
fi
echo "build-portal: building portal/dist"
npm run --silent build >/dev/null
