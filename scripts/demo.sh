#!/usr/bin/env bash
# `make demo`: a three-country federation on loopback.
#
#   scripts/demo.sh [BUILD_DIR] [--check]
#
# Generates three synthetic cohorts (Finland, the Netherlands, Spain: one site model, different
# population frequencies) with `genomefed synth`, ingests each into its own node data directory
# with `genomefed ingest`, writes node and hub configs, starts three `genomefed node`s and one
# `genomefed hub` on free 127.0.0.1 ports, waits for their health checks, runs example queries
# through the hub (a variant present in all three countries, the same query filtered by a
# phenotype, catalogue searches) and prints them readably; then a GA4GH passport (signed by a demo
# broker key whose JWKS is served on loopback) turns the Finnish node's count answers into
# records for the granted dataset. Then it leaves the federation running
# with its URLs printed until Ctrl-C, which stops every process it started.
#
# --check (or GENOMEFED_DEMO_CHECK=1): the same steps, then stop everything and exit 0 when every
# query succeeded (the CTest test hub_demo_check runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/release
check=${GENOMEFED_DEMO_CHECK:-0}
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) build_dir=$arg ;;
  esac
done
bin=$build_dir/apps/genomefed/genomefed
[ -x "$bin" ] || { echo "demo: $bin not found; build first (make build)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/genomefed

if [ "$check" = 1 ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/genomefed-demo.XXXXXX")
  samples=200 variants=2000
else
  work=$(cd "$build_dir" && pwd)/demo
  rm -rf "$work"
  mkdir -p "$work"
  samples=1000 variants=20000
fi

pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$check" = 1 ]; then
    # Nothing the demo started may outlive it (every server's command line names $work).
    local left
    left=$(pgrep -f -- "$work" || true)
    if [ -n "$left" ]; then
      echo "demo: processes still running after the stop: $(echo $left)" >&2
      kill -TERM $left 2>/dev/null || true
      status=1
    fi
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping the federation"; exit 0' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# id country population prefix consent
nodes=("fi FI FIN FI DUO:0000042" "nl NL NLD NL DUO:0000006" "es ES IBS ES DUO:0000007")

# A passport broker for the demo: a signing key whose public JWKS is served on loopback (the
# nodes trust this issuer and fetch its keys from there), as the hub's broker will do.
say "Passport broker key (genomefed keys generate) and its JWKS on loopback"
"$bin" keys generate --alg ES256 --out "$work/broker" >/dev/null
broker_iss="https://broker.demo.genomefed.example"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/broker" >"$work/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  broker_port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/broker.log" | head -1)
  [ -n "$broker_port" ] && break
  sleep 0.05
done
[ -n "$broker_port" ] || { echo "demo: the JWKS server did not start" >&2; cat "$work/broker.log" >&2; exit 1; }
broker_jku="http://127.0.0.1:$broker_port/jwks.json"
echo "  issuer $broker_iss, JWKS $broker_jku"

say "Generating and ingesting three synthetic cohorts ($samples samples, $variants sites each) in $work"
for spec in "${nodes[@]}"; do
  read -r id country pop prefix consent <<<"$spec"
  "$bin" synth --samples "$samples" --variants "$variants" --seed 2024 --contigs 21,22 \
    --populations "$pop" --sample-prefix "$prefix" --out "$work/$id/cohort" --quiet
  "$bin" ingest --quiet --data-dir "$work/$id/data" --dataset "$id-cohort" \
    --vcf "$work/$id/cohort/cohort.vcf.gz" --samples "$work/$id/cohort/samples.tsv" --consent "$consent"
  cat >"$work/$id/node.toml" <<TOML
[node]
id = "$id"
name = "genomefed demo node $country"
country = "$country"
listen = "127.0.0.1:0"
data_dir = "$work/$id/data"

[policy]
public_granularity = "count"      # anonymous callers: counts
controlled_granularity = "record" # a ControlledAccessGrants visa for the dataset: records
min_count = 1

[[trust]]
iss = "$broker_iss"
jku = "$broker_jku"

[[datasets]]
id = "$id-cohort"
name = "Synthetic $country cohort"
description = "Synthetic cohort of $samples individuals, population $pop"
consent_codes = ["$consent"]
TOML
  echo "  $id ($country): $work/$id/data, dataset $id-cohort, consent $consent"
done

# Starts a server whose first stdout line is "... listening on URL/api" and sets the variable
# named by $1 to URL. Not to be called in $(...): the pid must reach this shell's `pids`, or the
# cleanup cannot stop the server.
start_server() {
  local into=$1 log=$2; shift 2
  "$@" >"$log" 2>"$log.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 200); do
    if grep -q "listening on" "$log" 2>/dev/null; then
      printf -v "$into" '%s' "$(sed -n 's/.*listening on \(http[^ ]*\)\/api.*/\1/p' "$log" | head -1)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "demo: server did not start: $*" >&2
  cat "$log.err" >&2
  return 1
}

wait_healthy() {
  for _ in $(seq 1 100); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1]+'/healthz', timeout=1)" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: $1/healthz never answered" >&2
  return 1
}

say "Starting three nodes"
declare -A url
for spec in "${nodes[@]}"; do
  read -r id country _ <<<"$spec"
  start_server "url[$id]" "$work/$id/node.log" "$bin" --log-level warn node --config "$work/$id/node.toml"
  wait_healthy "${url[$id]}"
  echo "  node $id ($country): ${url[$id]}/api"
done

token_file=$work/admin-token
python3 -c 'import secrets; print(secrets.token_urlsafe(32))' >"$token_file"
chmod 600 "$token_file"
export GENOMEFED_ADMIN_TOKEN
GENOMEFED_ADMIN_TOKEN=$(cat "$token_file")
{
  cat <<TOML
[hub]
id = "genomefed-demo-hub"
name = "genomefed demo hub"
listen = "127.0.0.1:0"
db = "sqlite:$work/hub.db"
node_timeout_ms = 2000
harvest_interval_s = 300
admin_token_env = "GENOMEFED_ADMIN_TOKEN"
TOML
  for spec in "${nodes[@]}"; do
    read -r id country _ <<<"$spec"
    printf '\n[[nodes]]\nid = "%s"\nurl = "%s"\ncountry = "%s"\n' "$id" "${url[$id]}" "$country"
  done
} >"$work/hub.toml"

say "Starting the hub"
start_server hub "$work/hub.log" "$bin" --log-level warn hub --config "$work/hub.toml"
wait_healthy "$hub"
echo "  hub: $hub/api"
# The hub harvests at start in the background; ask for one now so the catalogue is complete.
python3 - "$hub" <<'PY'
import json, os, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/api/admin/harvest", data=b"", method="POST",
                             headers={"Authorization": "Bearer " + os.environ["GENOMEFED_ADMIN_TOKEN"]})
with urllib.request.urlopen(req, timeout=30) as r:
    for n in json.load(r)["harvested"]:
        print(f"  harvested {n['id']}: {'ok' if n['ok'] else n.get('error')}, {n['datasets']} dataset(s), {n['terms']} term(s)")
PY

# A variant with carriers in every country, from the stores themselves.
variant=$(python3 - "$bin" "$work" <<'PY'
import json, subprocess, sys
bin_, work = sys.argv[1], sys.argv[2]
rows = {}
for node in ("fi", "nl", "es"):
    out = subprocess.run([bin_, "query", "--json", "--data-dir", f"{work}/{node}/data",
                          "--region", "22:1-60000000"], check=True, capture_output=True, text=True)
    rows[node] = {r["variant"]: r["individuals"] for r in json.loads(out.stdout)}
shared = set.intersection(*(set(k for k, v in r.items() if v > 0) for r in rows.values()))
# Prefer a variant that is common in one country and rarer in another: population differences.
best = max(sorted(shared), key=lambda v: (max(rows[n][v] for n in rows) - min(rows[n][v] for n in rows)))
print(best)
PY
)

export HUB=$hub VARIANT=$variant
say "Queries through the hub ($hub/api)"
python3 - <<'PY'
import json, os, sys, urllib.parse, urllib.request

hub, variant = os.environ["HUB"], os.environ["VARIANT"]
# The store prints CHR-POS-REF-ALT or CHR:POS:REF:ALT (POS 1-based); Beacon's start is 0-based.
parts = variant.replace("-", ":").split(":")
chrom, pos, ref, alt = parts[0], int(parts[1]), parts[2], parts[3]

def get(path, **params):
    url = hub + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)

def post(path, body):
    req = urllib.request.Request(hub + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)

def show(title, answer):
    s = answer["responseSummary"]
    total = s.get("numTotalResults", "-")
    print(f"\n{title}")
    print(f"  exists={s['exists']}  total={total}  precision={s.get('countPrecision', '-')}"
          f"  granularity={answer['meta']['returnedGranularity']}")
    for rs in answer.get("response", {}).get("resultSets", []):
        info = rs.get("info", {})
        print(f"    {rs['id']:<16} country={info.get('country', '?'):<3} exists={str(rs['exists']):<5}"
              f" count={rs.get('resultsCount', '-')}")
    for u in answer.get("info", {}).get("unavailableNodes", []):
        print(f"    unavailable: {u['id']} ({u['reason']})")

v = dict(referenceName=chrom, start=pos - 1, referenceBases=ref, alternateBases=alt,
         requestedGranularity="count")
a = get("/api/g_variants", **v)
show(f"1. Is {chrom}:{pos} {ref}>{alt} anywhere in the federation? (GET /api/g_variants)", a)
assert a["responseSummary"]["exists"] and len(a["response"]["resultSets"]) == 3, a
b = get("/api/individuals", **v)
show("2. How many individuals carry it, per country? (GET /api/individuals)", b)
assert b["responseSummary"]["numTotalResults"] > 0, b

terms = get("/api/filtering_terms")["response"]["filteringTerms"]
hpo = [t for t in terms if t["id"].startswith("HP:")]
term = hpo[0] if hpo else terms[0]
c = post("/api/individuals", {"meta": {"apiVersion": "v2.1.1"},
                              "query": {"requestParameters": {"referenceName": chrom, "start": [pos - 1],
                                                              "referenceBases": ref, "alternateBases": alt},
                                        "filters": [{"id": term["id"]}],
                                        "requestedGranularity": "count"}})
show(f"3. Carriers who also have {term['id']} {term.get('label', '')} (POST /api/individuals, filtered)", c)
assert c["responseSummary"]["numTotalResults"] <= b["responseSummary"]["numTotalResults"], c

print("\n4. The catalogue (GET /api/catalogue)")
for q in ({}, {"country": "FI"}, {"consent": "DUO:0000007"}, {"phenotype": term["id"], "minSamples": 100}):
    cat = get("/api/catalogue", **q)
    label = " ".join(f"{k}={v}" for k, v in q.items()) or "(everything)"
    print(f"  {label}: {cat['total']} dataset(s)")
    for d in cat["datasets"]:
        print(f"    {d['id']:<16} {d['country']:<3} samples={d['sampleCount']:<6} consent={','.join(d['consentCodes'])}"
              f"  stale={d['stale']}  beacon={d['access']['beacon']}")
cat = get("/api/catalogue")
assert cat["total"] == 3, cat
PY

export FI_NODE=${url[fi]}
FI_TOKEN=$("$bin" passport issue --key "$work/broker/private.pem" --iss "$broker_iss" \
  --jku "$broker_jku" --sub alice@demo \
  --visa "ResearcherStatus=https://doi.org/10.1038/s41431-018-0219-y,by=so" \
  --visa "ControlledAccessGrants=${url[fi]}/datasets/fi-cohort,by=dac" --expires-in 3600)
export FI_TOKEN
printf '%s\n' "$FI_TOKEN" >"$work/alice.jwt"
chmod 600 "$work/alice.jwt"
say "A GA4GH passport at the Finnish node (genomefed passport issue)"
python3 - <<'PY'
import json, os, urllib.parse, urllib.request

node, token, variant = os.environ["FI_NODE"], os.environ["FI_TOKEN"], os.environ["VARIANT"]
parts = variant.replace("-", ":").split(":")
params = dict(referenceName=parts[0], start=int(parts[1]) - 1, referenceBases=parts[2],
              alternateBases=parts[3], requestedGranularity="record", limit=3)
url = node + "/api/individuals?" + urllib.parse.urlencode(params)

def ask(headers):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return json.load(r)

anon = ask({})
print(f"  without a token:  granularity={anon['meta']['returnedGranularity']}"
      f"  carriers={anon['responseSummary'].get('numTotalResults')}")
assert anon["meta"]["returnedGranularity"] == "count", anon
granted = ask({"Authorization": "Bearer " + token})
rs = granted["response"]["resultSets"][0]
ids = [r["id"] for r in rs["results"]]
print(f"  with alice's passport (ControlledAccessGrants for fi-cohort, by=dac):"
      f"  granularity={granted['meta']['returnedGranularity']}  first records={ids}")
assert granted["meta"]["returnedGranularity"] == "record" and ids, granted
forged = ask({"Authorization": "Bearer " + token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")})
print(f"  with a forged signature: granularity={forged['meta']['returnedGranularity']}"
      " (refused, answered as anonymous; the reason is in the node's log)")
assert forged["meta"]["returnedGranularity"] == "count", forged
PY

say "The federation is running"
for spec in "${nodes[@]}"; do
  read -r id country _ <<<"$spec"
  echo "  node $id ($country)  ${url[$id]}/api"
done
echo "  hub                 $hub/api   (catalogue: $hub/api/catalogue, metrics: $hub/metrics)"
echo "  admin token in $token_file, e.g.:"
echo "    curl -H \"Authorization: Bearer \$(cat $token_file)\" $hub/api/admin/nodes"
echo "  a passport for alice (records of fi-cohort at the fi node) is in $work/alice.jwt:"
echo "    curl -H \"Authorization: Bearer \$(cat $work/alice.jwt)\" '${url[fi]}/api/individuals?requestedGranularity=record&limit=2'"
echo "  try: curl '$hub/api/g_variants?referenceName=22&start=0&end=60000000&requestedGranularity=count'"
if [ "$check" = 1 ]; then
  echo "demo: check mode: all example queries succeeded"
  exit 0
fi
echo "Press Ctrl-C to stop."
while true; do sleep 1; done
