#!/usr/bin/env bash
# The genomefed HTTP server vs nginx serving the same ~612-byte JSON as a static file, both on
# loopback, both driven by `wrk -t1 -c32 -d5s` in the same run. One server thread vs one nginx
# worker (the figure is per core; wrk takes the other core of this 2-core machine). Besides
# wall-clock req/s it reports requests per CPU-second of the server process(es), which stays
# meaningful when other work shares the machine.
#
#   bench/http_vs_nginx.sh [BUILD_DIR]      (BUILD_DIR holds bench/http_bench; default build/release)
# Env: DURATION (default 5s), CONNECTIONS (32), ACCESS_LOG=1 to log every request in both.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build/release}"
bench_bin="$(find "$build" -name http_bench -type f -perm -u+x | head -n1)"
[[ -x "$bench_bin" ]] || { echo "http_bench not found under $build (build target http_bench)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$nginx_bin" ]] || { echo "nginx is not installed" >&2; exit 1; }

duration="${DURATION:-5s}"
conns="${CONNECTIONS:-32}"
access_log="${ACCESS_LOG:-0}"

work="$(mktemp -d /tmp/http_vs_nginx.XXXXXX)"
chmod 755 "$work"  # nginx workers run as an unprivileged user when started by root
nginx_pid=""
bench_pid=""
cleanup() {
  [[ -n "$bench_pid" ]] && kill "$bench_pid" 2>/dev/null && wait "$bench_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

# A Beacon-like JSON document of exactly 612 bytes.
mkdir -p "$work/www" "$work/tmp"
python3 - "$work/www/bench.json" <<'PY'
import json, sys
doc = {"meta": {"beaconId": "org.genomefed.bench", "apiVersion": "v2.0.0",
                "returnedGranularity": "count",
                "receivedRequestSummary": {"requestedGranularity": "count",
                                           "requestParameters": {"referenceName": "22",
                                                                 "start": [16050074],
                                                                 "alternateBases": "G"}}},
       "responseSummary": {"exists": True, "numTotalResults": 42},
       "info": {}, "pad": ""}
s = json.dumps(doc, separators=(",", ":"))
doc["pad"] = "x" * (612 - len(s))
s = json.dumps(doc, separators=(",", ":"))
assert len(s) == 612, len(s)
open(sys.argv[1], "w").write(s)
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port="$(free_port)"
if [[ "$access_log" == 1 ]]; then nginx_log="access_log $work/nginx_access.log;"; else nginx_log="access_log off;"; fi
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx_error.log;
events { worker_connections 1024; }
http {
  $nginx_log
  types { application/json json; }
  default_type application/json;
  keepalive_requests 100000000;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { root $work/www; }
  }
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!

bench_args=(--body "$work/www/bench.json" --threads 1)
[[ "$access_log" == 1 ]] && bench_args+=(--access-log)
"$bench_bin" "${bench_args[@]}" >"$work/bench.out" 2>"$work/bench.log" &
bench_pid=$!
for _ in $(seq 50); do grep -q '^port=' "$work/bench.out" 2>/dev/null && break; sleep 0.1; done
bench_port="$(sed -n 's/^port=//p' "$work/bench.out")"
[[ -n "$bench_port" ]] || { echo "http_bench did not start" >&2; cat "$work/bench.log" >&2; exit 1; }
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port/bench.json" -o /dev/null && break; sleep 0.1; done

# Same bytes from both?
cmp <(curl -sf "http://127.0.0.1:$nginx_port/bench.json") <(curl -sf "http://127.0.0.1:$bench_port/bench.json")

# CPU time (user + system, clock ticks) of a process and its children threads/processes.
cpu_ticks() {
  local total=0 p
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
hz="$(getconf CLK_TCK)"

run_wrk() {  # url pid... → "rps p50 p99 requests_per_cpu_second"
  local url="$1"; shift
  local out c0 c1
  c0="$(cpu_ticks "$@")"
  out="$(wrk -t1 -c"$conns" -d"$duration" --latency "$url")"
  c1="$(cpu_ticks "$@")"
  echo "$out" >&2
  local rps p50 p99 n
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  n="$(awk '/requests in/ {print $1}' <<<"$out")"
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "wrk reported errors" >&2; fi
  # Requests per second of server CPU: the per-core rate, robust to other load on the machine.
  echo "$rps $p50 $p99 $(python3 -c "print(round($n * $hz / max($c1 - $c0, 1)))")"
}

# Warm both, then measure nginx, genomefed, nginx again (the mean of the two nginx runs is the
# baseline, so drift during the run is visible rather than hidden).
wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$nginx_port/bench.json" >/dev/null
wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$bench_port/bench.json" >/dev/null
nginx_pids=("$nginx_pid" $(pgrep -P "$nginx_pid" || true))
read -r n1_rps n1_p50 n1_p99 n1_cpu < <(run_wrk "http://127.0.0.1:$nginx_port/bench.json" "${nginx_pids[@]}")
read -r g_rps g_p50 g_p99 g_cpu < <(run_wrk "http://127.0.0.1:$bench_port/bench.json" "$bench_pid")
read -r n2_rps n2_p50 n2_p99 n2_cpu < <(run_wrk "http://127.0.0.1:$nginx_port/bench.json" "${nginx_pids[@]}")

python3 - "$n1_rps" "$n2_rps" "$g_rps" "$n1_p50" "$n1_p99" "$n2_p50" "$n2_p99" "$g_p50" "$g_p99" \
    "$access_log" "$conns" "$duration" "$n1_cpu" "$n2_cpu" "$g_cpu" <<'PY'
import sys
n1, n2, g = map(float, sys.argv[1:4])
lat = sys.argv[4:10]
log, conns, dur = sys.argv[10:13]
c1, c2, cg = map(float, sys.argv[13:16])
base = (n1 + n2) / 2
cbase = (c1 + c2) / 2
print(f"\nwrk -t1 -c{conns} -d{dur} --latency, 612-byte JSON, 1 server thread / 1 nginx worker, "
      f"access log {'on' if log == '1' else 'off'} in both")
print(f"{'server':<24}{'req/s':>10}{'req/cpu-s':>11}{'p50':>10}{'p99':>10}")
print(f"{'nginx (run 1)':<24}{n1:>10.0f}{c1:>11.0f}{lat[0]:>10}{lat[1]:>10}")
print(f"{'genomefed http_bench':<24}{g:>10.0f}{cg:>11.0f}{lat[4]:>10}{lat[5]:>10}")
print(f"{'nginx (run 2)':<24}{n2:>10.0f}{c2:>11.0f}{lat[2]:>10}{lat[3]:>10}")
print(f"ratio genomefed / nginx, wall-clock req/s   = {g / base:.3f}  (goal >= 0.80)")
print(f"ratio genomefed / nginx, req per CPU-second = {cg / cbase:.3f}  (per-core efficiency)")
PY
