#!/usr/bin/env bash
# Catalog cache hit vs nginx serving the very same bytes as a static file, in one run:
# GET /v1/products/{id} answered from L1 by the hot path, against nginx's GET /product.json,
# twice: with the per-address read policy on (libs/ratelimit, the default) and with limiting off
# (MILLION_RATELIMIT_ENABLED=false), two JVMs from the same jar. Each server is pinned to core 0,
# wrk to core 1; the JVMs are warmed for $WARMUP s each (throughput keeps rising for about two
# minutes), then the three are measured in alternating rounds; the ratios limited/nginx and
# limited/unlimited of each round and their medians are printed. Goals: >= 0.9 and >= 0.95.
#
#   perf/catalog/bench.sh                          # 120 s warm-up, 3 rounds of 20 s each
#   WARMUP=60 ROUNDS=5 DURATION=30 perf/catalog/bench.sh
#
# Loopback only; every phase is bounded by its duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARMUP=${WARMUP:-120}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
CATALOG_PORT=${CATALOG_BENCH_PORT:-18282}
UNLIMITED_PORT=$((CATALOG_PORT + 1))
NGINX_PORT=${NGINX_BENCH_PORT:-18080}
JAR=$ROOT/services/catalog/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
"$ROOT/stack/million" infra >/dev/null
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests install -pl services/catalog -am)

start() { # port name [java options]
  start_service "$JAR" "$WORK" "$1" "$2" -Dmillion.catalog.product-cache.ttl=PT1H "${@:3}"
}
start "$CATALOG_PORT" catalog
start "$UNLIMITED_PORT" unlimited -Dmillion.ratelimit.enabled=false

# A product whose representation is about 230 bytes, like the baseline figures in shared/FACTS.md.
sku="BENCH-$RANDOM$RANDOM"
id=$(curl -fs -X POST -H 'Content-Type: application/json' -H "Authorization: $(bearer perf catalog-admin)" \
  "http://127.0.0.1:$CATALOG_PORT/v1/products" \
  -d "{\"sku\":\"$sku\",\"name\":\"Stoneware mug\",\"description\":\"350 ml, dishwasher safe\",\"category\":\"kitchen\",\"priceCents\":1299,\"currency\":\"EUR\",\"stock\":100}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
url="http://127.0.0.1:$CATALOG_PORT/v1/products/$id"
mkdir -p "$WORK/www"
curl -fs "$url" -o "$WORK/www/product.json"
curl -fs "$url" -o /dev/null # now an L1 hit
unlimited_url="http://127.0.0.1:$UNLIMITED_PORT/v1/products/$id"
curl -fs "$unlimited_url" -o /dev/null # loads from the shared L2, then an L1 hit too
curl -fs -D - "$url" -o /dev/null | grep -qi '^ratelimit-policy: "reads"' || { echo "the read policy is not on" >&2; exit 1; }
curl -fs -D - "$unlimited_url" -o /dev/null | grep -qi '^ratelimit' && { echo "limiting is not off" >&2; exit 1; }
bytes=$(wc -c <"$WORK/www/product.json")

nginx_url=$(nginx_baseline "$WORK" "$NGINX_PORT")


echo "warming both catalog JVMs for ${WARMUP}s each and nginx for 30s ($bytes-byte body)"
rps "$url" "$WARMUP" >/dev/null
rps "$unlimited_url" "$WARMUP" >/dev/null
rps "$nginx_url" 30 >/dev/null

to_nginx=() to_unlimited=()
printf '%-6s %16s %16s %12s %10s %12s\n' round "limited req/s" "unlimited req/s" "nginx req/s" "lim/nginx" "lim/unlim"
for round in $(seq 1 "$ROUNDS"); do
  c=$(rps "$url" "$DURATION")
  u=$(rps "$unlimited_url" "$DURATION")
  n=$(rps "$nginx_url" "$DURATION")
  r=$(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.3f", c / n}')
  q=$(awk -v c="$c" -v u="$u" 'BEGIN {printf "%.3f", c / u}')
  to_nginx+=("$r") to_unlimited+=("$q")
  printf '%-6s %16s %16s %12s %10s %12s\n' "$round" "$c" "$u" "$n" "$r" "$q"
done
echo "median ratio catalog (read policy on)/nginx: $(printf '%s\n' "${to_nginx[@]}" | median) (goal >= 0.9)"
echo "median ratio read policy on/off: $(printf '%s\n' "${to_unlimited[@]}" | median) (goal >= 0.95)"
echo "(wrk -t1 -c$CONNECTIONS, ${DURATION}s rounds, servers on core 0, wrk on core 1; nginx: 1 worker, sendfile, access_log off, keepalive_requests 1e8)"
