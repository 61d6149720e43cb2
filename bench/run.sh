#!/usr/bin/env bash
# `make bench`: every benchmark, each beside its named baseline in the same run, at the shapes
# BENCHMARKS.md records (reduced where noted so that the whole run takes ~10 minutes on 2 cores).
#
#   bench/run.sh [BUILD_DIR] [NAME ...]     (default build/release; names: passport http store
#                                            ingest synth beacon crypt4gh hub; default all)
#
# Benchmarks that need ../shared (1000 Genomes data) or a baseline tool that is absent say so and
# are skipped; the others still run. Copy the figures into BENCHMARKS.md with the machine
# (`lscpu | grep 'Model name'`), the time and the load average (`uptime`): a figure measured on a
# busy machine is only comparable through its same-run ratio.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build/release}"
shift || true
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(passport http store ingest synth beacon crypt4gh hub)
[[ -d "$build/bench" ]] || { echo "bench: $build/bench not found; build first (make build)" >&2; exit 1; }
shared="${GENOMEFED_SHARED:-$here/../../shared}"

failed=()
run() {  # name command...
  local name=$1; shift
  printf '\n\033[1m== %s: %s\033[0m\n' "$name" "$*"
  if ! "$@"; then failed+=("$name"); fi
}
have() { command -v "$1" >/dev/null 2>&1; }

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u '+%F %H:%M UTC'); load:$(uptime | sed 's/.*load average://')"
for name in "${names[@]}"; do
  case "$name" in
    passport) run passport "$build/bench/passport_bench" 4000 ;;
    http)
      if have nginx && have wrk; then run http bash "$here/http_vs_nginx.sh" "$build"
      else echo "http: skipped (nginx and wrk are needed: scripts/install-deps.sh)"; fi ;;
    store) run store "$build/bench/store_bench" ;;
    ingest)
      if have bcftools; then run ingest bash "$here/ingest_vs_bcftools.sh" "$build" 2504 200000
      else echo "ingest: skipped (bcftools is needed)"; fi ;;
    synth) run synth "$build/bench/synth_bench" 2504 20000 bcf ;;
    beacon)
      if [[ -f "$shared/data/1000g/test_1000G.vcf.gz" ]] && have nginx && have wrk; then
        run beacon bash "$here/beacon_bench.sh" "$build"
      else
        echo "beacon: skipped (needs ../shared/data/1000g, nginx and wrk)"
      fi ;;
    crypt4gh) run crypt4gh "$build/bench/crypt4gh_bench" 1 20000 ;;
    hub) run hub "$build/bench/hub_bench" --iterations 1000 --wrk-seconds 4 ;;
    *) echo "bench: unknown benchmark '$name'" >&2; failed+=("$name") ;;
  esac
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "bench: failed: ${failed[*]}" >&2
  exit 1
fi
echo "bench: all done"
