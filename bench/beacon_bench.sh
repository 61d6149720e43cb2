#!/usr/bin/env bash
# Beacon count queries on the full node stack vs three baselines, in one run:
#   1. nginx serving a static JSON of the same size (wrk -t1 -c32, 1 server thread / 1 worker);
#   2. a bcftools process per query (`bcftools view -H -r CHR:POS-POS` on the indexed file);
#   3. PostgreSQL counting carriers ∧ disease ∧ consent for a common allele (pgbench, SQL join),
#      vs the node answering the same filtered /individuals counts.
# wrk cycles through 1,000 different alleles (bench/beacon_urls.lua). Also reports requests per
# CPU-second of each server process, which stays meaningful on a loaded machine.
#
#   bench/beacon_bench.sh [BUILD_DIR]   (default build/release; needs bench/beacon_node_bench)
# Env: DURATION (5s), CONNECTIONS (32), SKIP_PG=1 to leave out PostgreSQL, NODE_THREADS (1; the
# nginx comparison is only like for like at 1, the PostgreSQL wall-clock one at 2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build/release}"
bin="$(find "$build" -name beacon_node_bench -type f -perm -u+x | head -n1)"
[[ -x "$bin" ]] || { echo "beacon_node_bench not found under $build" >&2; exit 1; }
shared="${GENOMEFED_SHARED:-$here/../../shared}"
vcf="$shared/data/1000g/test_1000G.vcf.gz"
samples="$shared/data/cineca-uk1/individuals.json"
[[ -f "$vcf" ]] || { echo "$vcf is absent" >&2; exit 1; }
duration="${DURATION:-5s}"
conns="${CONNECTIONS:-32}"
pgbin=/usr/lib/postgresql/15/bin

work="$(mktemp -d /tmp/beacon_bench.XXXXXX)"
chmod 755 "$work"
pids=()
pg_started=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  if [[ -n "$pg_started" ]]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true; fi
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
# A process and its reaped children (utime+stime+cutime+cstime): PostgreSQL's backends exit
# when pgbench disconnects and their CPU time is then added to the postmaster's.
cpu_ticks_tree() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"

"$bin" --vcf "$vcf" --samples "$samples" --work "$work" --threads "${NODE_THREADS:-1}" >"$work/node.out" 2>"$work/node.log" &
node_pid=$!; pids+=("$node_pid")
for _ in $(seq 300); do grep -q '^port=' "$work/node.out" 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's/^port=//p' "$work/node.out")"
[[ -n "$port" ]] || { echo "beacon_node_bench did not start" >&2; cat "$work/node.log" >&2; exit 1; }
head -1 "$work/node.out"

# nginx with a static file of the same size as a typical count answer.
mkdir -p "$work/www" "$work/tmp"
curl -sf "http://127.0.0.1:$port$(head -1 "$work/urls.txt")" -o "$work/www/count.json"
size=$(stat -c %s "$work/www/count.json")
nport="$(free_port)"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx_error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/json json; }
  default_type application/json;
  keepalive_requests 100000000;
  client_body_temp_path $work/tmp/body; proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi; uwsgi_temp_path $work/tmp/uwsgi; scgi_temp_path $work/tmp/scgi;
  server { listen 127.0.0.1:$nport; location / { root $work/www; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=("$!"); nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/count.json" -o /dev/null && break; sleep 0.1; done
nginx_pids=("$nginx_pid" $(pgrep -P "$nginx_pid" || true))
echo /count.json >"$work/static_urls.txt"

run_wrk() {  # base urls_file pid... → "rps p50 p99 req_per_cpu_s errors"
  local base="$1" list="$2"; shift 2
  local c0 c1 out
  c0=$(cpu_ticks "$@")
  out="$(URLS="$list" wrk -t1 -c"$conns" -d"$duration" --latency -s "$here/beacon_urls.lua" "$base")"
  c1=$(cpu_ticks "$@")
  echo "$out" >&2
  local n rps p50 p99 err=0
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  grep -q "Non-2xx\|Socket errors" <<<"$out" && err=1
  echo "$rps $p50 $p99 $(python3 -c "print(round($n*$hz/max($c1-$c0,1)))") $err"
}
wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$nport/count.json" >/dev/null
URLS="$work/urls.txt" wrk -t1 -c"$conns" -d1s -s "$here/beacon_urls.lua" "http://127.0.0.1:$port" >/dev/null
read -r n1 n1p50 n1p99 n1cpu n1e < <(run_wrk "http://127.0.0.1:$nport" "$work/static_urls.txt" "${nginx_pids[@]}")
read -r g gp50 gp99 gcpu ge < <(run_wrk "http://127.0.0.1:$port" "$work/urls.txt" "$node_pid")
read -r n2 n2p50 n2p99 n2cpu n2e < <(run_wrk "http://127.0.0.1:$nport" "$work/static_urls.txt" "${nginx_pids[@]}")

# bcftools: one process per query over the first 200 alleles (indexed copy in the work dir).
cp "$vcf" "$work/kg.vcf.gz"; bcftools index -t "$work/kg.vcf.gz"
t0=$(date +%s.%N); nq=0
while IFS=$'\t' read -r chrom pos ref alt; do
  bcftools view -H -r "$chrom:$pos-$pos" "$work/kg.vcf.gz" | awk -v r="$ref" -v a="$alt" '$4==r && $5 ~ a' | wc -l >/dev/null
  nq=$((nq + 1)); [[ $nq -ge 200 ]] && break
done <"$work/alleles.txt"
t1=$(date +%s.%N)
bcf_ms=$(python3 -c "print(($t1-$t0)*1000/$nq)")

# PostgreSQL: same carriers/disease/consent tables, filtered count per common allele.
pg_rps=""; gf_rps=""; gf_cpu=""; pg_p=""; pg_cpu="";
if [[ -z "${SKIP_PG:-}" && -x "$pgbin/initdb" ]]; then
  pport="$(free_port)"
  mkdir -p "$work/pg" "$work/pgsock"; chown postgres "$work/pg" "$work/pgsock"; chmod 755 "$work"/*.tsv
  runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
    -o "-p $pport -k $work/pgsock -c listen_addresses=127.0.0.1 -c shared_buffers=128MB" start >/dev/null
  pg_started=1
  psql_() { runuser -u postgres -- psql -h 127.0.0.1 -p "$pport" -q -v ON_ERROR_STOP=1 "$@"; }
  psql_ -c "create table carriers(allele int, sample int); create table diseases(sample int, code text); create table consent(sample int, code text);"
  psql_ -c "\\copy carriers from '$work/carriers.tsv'" -c "\\copy diseases from '$work/diseases.tsv'" -c "\\copy consent from '$work/consent.tsv'"
  psql_ -c "create index on carriers(allele, sample); create index on diseases(code, sample); create index on consent(code, sample); analyze;"
  ncommon=$(wc -l <"$work/common_urls.txt")
  filter=$(sed -n 's/.*filters=\([^,]*\),.*/\1/p' "$work/common_urls.txt" | head -1)
  # pgbench takes ":name" for a variable even inside a string literal, so the codes' colons are
  # kept away from letters and digits by concatenation (constant-folded when planned).
  cat >"$work/q.sql" <<SQL
\set a random(1, $ncommon)
select count(*) from carriers c join diseases d on d.sample = c.sample and d.code = '${filter%%:*}:' || '${filter#*:}' join consent k on k.sample = c.sample and k.code = 'DUO:' || '0000042' where c.allele = :a;
SQL
  chmod 644 "$work/q.sql"
  # Both sides must give the same answers: the first five alleles, counted by each.
  for i in 1 2 3 4 5; do
    want=$(psql_ -At -c "select count(*) from carriers c join diseases d on d.sample = c.sample and d.code = '$filter' join consent k on k.sample = c.sample and k.code = 'DUO:0000042' where c.allele = $i")
    got=$(curl -sf "http://127.0.0.1:$port$(sed -n "${i}p" "$work/common_urls.txt")" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["responseSummary"]["numTotalResults"])')
    [[ "$want" == "$got" ]] || { echo "count mismatch for common allele $i: PostgreSQL $want, node $got" >&2; exit 1; }
  done
  # PostgreSQL at its best: prepared statements (no parse/plan per query), 8 clients so that
  # its backends can use both cores. Its CPU time (postmaster + backends) is measured too.
  postmaster=$(head -1 "$work/pg/postmaster.pid")
  pg_t0=$(cpu_ticks_tree "$postmaster")
  pgout="$(runuser -u postgres -- pgbench -h 127.0.0.1 -p "$pport" -n -M prepared -c 8 -j 1 -T "${duration%s}" -f "$work/q.sql" postgres 2>&1)"
  sleep 0.5  # backends exit and are reaped
  pg_t1=$(cpu_ticks_tree "$postmaster")
  echo "$pgout" >&2
  pg_rps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$pgout" | head -1)
  pg_cpu=$(python3 -c "d=($pg_t1-$pg_t0)/$hz; print(f'{$pg_rps*${duration%s}/d:.0f}' if d>0 else '0')")
  pg_p=$(sed -n 's/^latency average = \(.*\)$/\1/p' <<<"$pgout")
  read -r gf_rps gf_p50 gf_p99 gf_cpu gf_e < <(run_wrk "http://127.0.0.1:$port" "$work/common_urls.txt" "$node_pid")
fi

python3 - <<PY
n1, n2, g = $n1, $n2, $g
base = (n1 + n2) / 2
cb = ($n1cpu + $n2cpu) / 2
print()
print("Beacon count queries, 1,000 different alleles (1000G chr1 test file, 2,504 samples), "
      "wrk -t1 -c$conns -d$duration, response $size bytes, 1 server thread / 1 nginx worker")
print(f"{'server':<34}{'req/s':>10}{'req/cpu-s':>11}{'p50':>10}{'p99':>10}")
print(f"{'nginx static (run 1)':<34}{n1:>10.0f}{$n1cpu:>11.0f}{'$n1p50':>10}{'$n1p99':>10}")
print(f"{'genomefed node /g_variants count':<34}{g:>10.0f}{$gcpu:>11.0f}{'$gp50':>10}{'$gp99':>10}")
print(f"{'nginx static (run 2)':<34}{n2:>10.0f}{$n2cpu:>11.0f}{'$n2p50':>10}{'$n2p99':>10}")
print(f"ratio node / nginx: wall {g/base:.3f}, per CPU-second {$gcpu/cb:.3f}  (goal >= 0.80)"
      f"{'  [wrk reported errors]' if $ge or $n1e or $n2e else ''}")
bcf = $bcf_ms
print(f"bcftools process per query: {bcf:.2f} ms/query = {1000/bcf:.0f} q/s; "
      f"ratio node / bcftools = {g/(1000/bcf):.0f}x  (goal >= 300x)")
pg = "$pg_rps"
if pg:
    gf = float("$gf_rps")
    pgc, gfc = float("${pg_cpu:-0}"), float("${gf_cpu:-0}")
    print(f"PostgreSQL filtered carrier count (pgbench -M prepared -c8, latency avg $pg_p): "
          f"{float(pg):.0f} q/s, {pgc:.0f} q/cpu-s of the server; "
          f"node /individuals same counts (${NODE_THREADS:-1} thread(s)): {gf:.0f} q/s (p50 $gf_p50, p99 $gf_p99), "
          f"{gfc:.0f} req/cpu-s")
    print(f"ratio node / PostgreSQL: wall {gf/float(pg):.1f}x, per server CPU-second "
          f"{(gfc/pgc if pgc else 0):.1f}x  (goal >= 20x)")
PY
