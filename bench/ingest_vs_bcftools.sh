#!/usr/bin/env bash
# Ingest speed vs `bcftools view -Ou -o /dev/null` on the same file (ratio), from .vcf.gz and
# BCF; store size vs the BCF; peak memory of ingest. Then the store size of the real 1000 Genomes
# files in ../shared/data/1000g (when present) vs their BCF, as is and with ID/QUAL/INFO removed
# (the BCF of the same genotypes). Usage:
#   bench/ingest_vs_bcftools.sh BUILD_DIR [SAMPLES] [VARIANTS]
# Defaults: 2,504 samples × 200,000 variants (the DESIGN figure's shape).
set -euo pipefail
build=${1:-build/release}
samples=${2:-2504}
variants=${3:-200000}
g="$build/apps/genomefed/genomefed"
work=$(mktemp -d /tmp/genomefed-ingest-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$g" synth --samples "$samples" --variants "$variants" --seed 1 --out "$work/c" >/dev/null
bcftools view --no-version -Ob -o "$work/c/cohort.bcf" "$work/c/cohort.vcf.gz"

secs() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
best() {  # best of 3 wall-clock seconds, and the peak RSS (KiB) of that run
  local best_t=999999 best_m=0
  for _ in 1 2 3; do
    rm -rf "$work/data"
    read -r t m < <(secs "$@")
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  echo "$best_t $best_m"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "input: $samples samples × $variants variants ($(bcftools index -n "$work/c/cohort.vcf.gz" 2>/dev/null || echo '?') records)"
for fmt in vcf.gz bcf; do
  f="$work/c/cohort.$fmt"
  read -r tb mb < <(best bcftools view --no-version -Ou -o /dev/null "$f")
  # --no-archive: bcftools does not encrypt a copy either; the archive step is timed apart below.
  read -r tg mg < <(best "$g" ingest --quiet --no-archive --data-dir "$work/data" --dataset d --vcf "$f")
  ratio=$(awk "BEGIN{printf \"%.2f\", $tb/$tg}")
  echo "from $fmt: bcftools view ${tb}s, genomefed ingest ${tg}s (peak ${mg} KiB) → ${ratio}× bcftools' speed"
done
rm -rf "$work/data"
read -r ta _ < <(secs "$g" ingest --quiet --data-dir "$work/data" --dataset d --vcf "$work/c/cohort.bcf")
echo "from bcf with the Crypt4GH archive copy: ${ta}s"
store=$(du -cb "$work"/data/datasets/d/seg-*.gfs | tail -1 | cut -f1)
bcf=$(stat -c %s "$work/c/cohort.bcf")
echo "store: $store bytes vs BCF $bcf bytes → $(awk "BEGIN{printf \"%.2f\", $store/$bcf}")× the BCF"

# Real data: the store of each 1000 Genomes file vs its BCF (as is, and genotypes only).
shared=$(cd "$(dirname "$0")/../.." && pwd)/shared/data/1000g
for vcf in "$shared"/*.vcf.gz; do
  [ -f "$vcf" ] || continue
  name=$(basename "$vcf" .vcf.gz)
  bcftools view --no-version -Ob -o "$work/$name.bcf" "$vcf"
  bcftools annotate --no-version -x ID,QUAL,INFO -Ob -o "$work/$name.gt.bcf" "$vcf"
  rm -rf "$work/real"
  if ! "$g" ingest --quiet --no-archive --data-dir "$work/real" --dataset d \
    --vcf "$work/$name.bcf" 2>/dev/null; then
    echo "$name: not ingested (no genotypes?)"
    continue
  fi
  s=$(du -cb "$work"/real/datasets/d/seg-*.gfs | tail -1 | cut -f1)
  b=$(stat -c %s "$work/$name.bcf")
  bg=$(stat -c %s "$work/$name.gt.bcf")
  echo "$name: store $s bytes vs BCF $b ($(awk "BEGIN{printf \"%.2f\", $s/$b}")×)," \
    "vs genotypes-only BCF $bg ($(awk "BEGIN{printf \"%.2f\", $s/$bg}")×)"
done
