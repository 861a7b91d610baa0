#!/usr/bin/env bash
# The edge under a skewed read load, against the running platform (stack/million up: Varnish on
# 8080 in front of HAProxy and the catalog replicas), in one run:
#  1. A Zipf(1.0) read workload over 10,000 products (anonymous GET /v1/products/{id} through the
#     edge) for $DURATION s: the edge hit ratio (Varnish hits / (hits + misses)), the origin
#     offload (share of requests the edge answered) and the combined hit ratio (edge hits plus the
#     catalog's L1/L2 hits, over all requests). Goal: combined >= 0.9.
#  2. An edge hit vs nginx serving the very same bytes as a static file: both pinned to core 0
#     (Varnish's threads moved there for the run, and back afterwards), wrk on core 1, alternating
#     rounds, median ratio. Goal >= 0.9.
#
#   perf/edge/bench.sh                       # 10,000 products, 60 s of Zipf load, 5 rounds of 10 s
#   PRODUCTS=2000 DURATION=30 ROUNDS=3 perf/edge/bench.sh
#
# Loopback only; every phase is bounded by its duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MILLION_STATE=${MILLION_STATE:-/var/lib/million}
VARNISH_WORKDIR=$MILLION_STATE/varnish   # as stack/million starts it
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"
PRODUCTS=${PRODUCTS:-10000}
DURATION=${DURATION:-60}
ROUNDS=${ROUNDS:-5}
ROUND_S=${ROUND_S:-10}
CONNECTIONS=${CONNECTIONS:-64}
EDGE="http://127.0.0.1:${MILLION_HTTP_PORT:-8080}"
NGINX_PORT=${NGINX_BENCH_PORT:-18080}
CATALOG_MANAGEMENT_PORT=${MILLION_CATALOG_MANAGEMENT_PORT:-9082}
WORK=$(mktemp -d)
varnish_pids=()
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  for pid in "${varnish_pids[@]}"; do taskset -a -p -c 0-"$(($(nproc) - 1))" "$pid" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
curl -s -D - -o /dev/null "$EDGE/v1/products/0" | grep -qi '^x-cache:' \
  || { echo "no edge on $EDGE (X-Cache missing): start the platform with stack/million up" >&2; exit 1; }

# The catalog replicas' management ports (replica r: the base + 1000 (r - 1), see stack/million).
replicas=()
for r in $(seq 1 9); do
  port=$((CATALOG_MANAGEMENT_PORT + 1000 * (r - 1)))
  curl -fs -o /dev/null "http://127.0.0.1:$port/q/health/ready" && replicas+=("$port")
done
[ ${#replicas[@]} -gt 0 ] || { echo "no catalog replica answers on $CATALOG_MANAGEMENT_PORT (+1000 ...)" >&2; exit 1; }

echo "creating $PRODUCTS products through the edge"
admin="Authorization: Bearer $("$ROOT/stack/million" token --sub edge-bench --roles catalog-admin --ttl 2h)"
run=$RANDOM$RANDOM
seq 1 "$PRODUCTS" | xargs -P 8 -I{} curl -fs -X POST -H 'Content-Type: application/json' -H "$admin" \
  -d "{\"sku\":\"ZIPF-$run-{}\",\"name\":\"Zipf product {}\",\"description\":\"350 ml, dishwasher safe\",\"category\":\"zipf-$run\",\"priceCents\":1299,\"currency\":\"EUR\",\"stock\":100}" \
  -o "$WORK/p-{}.json" "$EDGE/v1/products"
python3 - "$WORK" "$PRODUCTS" >"$WORK/ids" <<'PY'
import json, sys
for i in range(1, int(sys.argv[2]) + 1):
    try:
        print(json.load(open(f"{sys.argv[1]}/p-{i}.json"))["id"])
    except (OSError, ValueError, KeyError):
        pass
PY
rm -f "$WORK"/p-*.json
[ "$(wc -l <"$WORK/ids")" = "$PRODUCTS" ] || { echo "only $(wc -l <"$WORK/ids") of $PRODUCTS products were created" >&2; exit 1; }

# wrk's Lua: rank k (1-based, the order of creation) is asked with probability ~ 1/k.
{
  echo "local ids = {"
  sed 's/.*/"&",/' "$WORK/ids"
  echo "}"
  cat <<'LUA'
local n = #ids
local cdf = {}
local sum = 0
for k = 1, n do sum = sum + 1 / k; cdf[k] = sum end
for k = 1, n do cdf[k] = cdf[k] / sum end
math.randomseed(os.time())
request = function()
  local u = math.random()
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", "/v1/products/" .. ids[lo])
end
LUA
} >"$WORK/zipf.lua"

varnish_counter() { varnishstat -n "$VARNISH_WORKDIR" -1 -f "MAIN.$1" 2>/dev/null | awk '{print $2}'; }
origin_hits() { # the catalog's L1 + L2 product hits, summed over replicas
  local total=0 port value
  for port in "${replicas[@]}"; do
    value=$(curl -fs "http://127.0.0.1:$port/q/metrics" | awk '/^million_cache_requests_total\{cache="(product|all)",outcome="hit",tier="l[12]"\}/ {s += $2} END {printf "%d", s}')
    total=$((total + value))
  done
  echo "$total"
}

hits0=$(varnish_counter cache_hit); misses0=$(varnish_counter cache_miss); origin0=$(origin_hits)
passes0=$(varnish_counter s_pass)
echo "Zipf(1.0) over $PRODUCTS products for ${DURATION}s (wrk -t1 -c32 through the edge)"
out=$(wrk -t1 -c32 -d"${DURATION}s" -s "$WORK/zipf.lua" "$EDGE")
sleep 2 # Varnish's worker threads flush their counters in batches
hits1=$(varnish_counter cache_hit); misses1=$(varnish_counter cache_miss); origin1=$(origin_hits)
passes1=$(varnish_counter s_pass)
requests=$(awk '/requests in/ {print $1}' <<<"$out")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
hits=$((hits1 - hits0)) misses=$((misses1 - misses0)) origin=$((origin1 - origin0)) passes=$((passes1 - passes0))
# What reached the origin is what the edge did not answer: its misses and passes (counted exactly,
# while Varnish's hit counter can lag); the origin answered some of those from its own caches.
awk -v r="$requests" -v h="$hits" -v m="$misses" -v p="$passes" -v o="$origin" -v e="${non2xx:-0}" 'BEGIN {
  printf "requests %d (non-2xx %d), edge hits %d, edge misses %d, passes %d, origin cache hits %d\n", r, e, h, m, p, o
  printf "edge hit ratio %.4f, origin offload %.4f, combined hit ratio %.4f (goal >= 0.9)\n", h / (h + m), 1 - (m + p) / r, 1 - (m + p - o) / r
}'

# 2. An edge hit vs nginx serving the same bytes.
top="$EDGE/v1/products/$(head -n 1 "$WORK/ids")"
mkdir -p "$WORK/www"
curl -fs "$top" -o "$WORK/www/product.json"
curl -fs -D - -o /dev/null "$top" | grep -qi '^x-cache: *HIT' || { echo "the top product is not an edge hit" >&2; exit 1; }
nginx_url=$(nginx_baseline "$WORK" "$NGINX_PORT")
mapfile -t varnish_pids < <(pgrep -f "varnishd.*$VARNISH_WORKDIR" || true)
[ ${#varnish_pids[@]} -gt 0 ] || { echo "no varnishd process for $VARNISH_WORKDIR" >&2; exit 1; }
for pid in "${varnish_pids[@]}"; do taskset -a -p -c 0 "$pid" >/dev/null; done

rps "$top" 5 >/dev/null
rps "$nginx_url" 5 >/dev/null
ratios=()
printf '%-6s %14s %12s %8s\n' round "edge req/s" "nginx req/s" ratio
for round in $(seq 1 "$ROUNDS"); do
  e=$(rps "$top" "$ROUND_S")
  n=$(rps "$nginx_url" "$ROUND_S")
  r=$(awk -v e="$e" -v n="$n" 'BEGIN {printf "%.3f", e / n}')
  ratios+=("$r")
  printf '%-6s %14s %12s %8s\n' "$round" "$e" "$n" "$r"
done
echo "median ratio edge hit/nginx: $(printf '%s\n' "${ratios[@]}" | median) (goal >= 0.9)"
echo "(wrk -t1 -c$CONNECTIONS, ${ROUND_S}s rounds; Varnish and nginx on core 0, wrk on core 1; nginx: 1 worker, sendfile, access_log off, keepalive_requests 1e8)"
