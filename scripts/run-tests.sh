#!/usr/bin/env bash
# Runs every test suite of a built tree. Used by `make test` (and so by .ci/run).
set -euo pipefail
build_dir=${1:-build/release}
cd "$(dirname "$0")/.."
if [ ! -d ../shared ]; then
  echo "note: ../shared is absent; tests that need the shared data will be skipped (they say so)."
fi
# Ajv for the Beacon schema tests (skipped with a message when it cannot be installed).
bash scripts/install-npm-deps.sh || echo "note: npm packages for the Beacon schema tests are missing; those tests will skip"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 900
# The portal in a real browser (Debian chromium + playwright-core) against a federation started
# by the test: after the C++ tests, as node's test runner (tests/portal/).
GENOMEFED_BIN="$(cd "$build_dir" && pwd)/apps/genomefed/genomefed" \
  GENOMEFED_ARTEFACTS="$(cd "$build_dir" && pwd)/portal-screenshots" \
  node --test tests/portal/
