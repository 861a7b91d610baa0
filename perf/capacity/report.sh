#!/usr/bin/env bash
# The capacity report (issue 18), in one command: runs the platform (stack/million up), measures a
# mixed constant-rate workload through the edge and through HAProxy at growing offered loads until
# saturation, with 1 and 2 replicas per service, plus the unit costs of each endpoint and the
# baselines, records every figure in perf/capacity/results.txt, and then runs the model
# (perf/capacity/Report.java): perf/report.md, its charts (perf/report/*.png) and
# helm/million/values-1m-rps.yaml.
#
#   perf/capacity/report.sh                     # about 24 min here from a clean clone, the build included
#   SCALE="1 2 4 8" perf/capacity/report.sh     # a bigger machine: more replicas per service
#   STEP_S=10 START_RATE=100 GROWTH=1.4 MAX_STEPS=12 WARMUP=45 WARMUP_RATE=500 perf/capacity/report.sh
#
# The workload (perf/capacity/mix.conf, MIX=): Zipf(1.0) product reads, category listings, user
# reads with tokens, order placements and product updates; constant rate (perf/load/Load.java, open
# loop: latency from when each request was due), the load generator pinned to core(s) LOADGEN_CPUS
# (1), everything else on the rest. A step is saturated when its goodput falls under 95 % of the
# offered rate, its p99 passes 1 s or requests could not be sent; each curve stops after its first
# saturated step.
#
# Loopback only; every phase is bounded (steps by MAX_STEPS x STEP_S, each request by 10 s).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/perf/capacity
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"
SCALE=${SCALE:-1 2}
STEP_S=${STEP_S:-10}
START_RATE=${START_RATE:-100}
GROWTH=${GROWTH:-1.4}
MAX_STEPS=${MAX_STEPS:-12}
WARMUP=${WARMUP:-45}
WARMUP_RATE=${WARMUP_RATE:-500}
UNIT_RATE=${UNIT_RATE:-50}
PRODUCTS=${PRODUCTS:-2000}
CATEGORIES=${CATEGORIES:-20}
USERS=${USERS:-100}
MIX=${MIX:-$HERE/mix.conf}
RESULTS=${RESULTS:-$HERE/results.txt}
LOADGEN_CPUS=${LOADGEN_CPUS:-1}
CONNECTIONS=${LOAD_CONNECTIONS:-256}
export MILLION_STATE=${MILLION_STATE:-/var/lib/million}
RUN=$MILLION_STATE/run
EDGE="http://127.0.0.1:${MILLION_HTTP_PORT:-8080}"
HAPROXY="http://127.0.0.1:${MILLION_HAPROXY_PORT:-8090}"
PG_PORT=${MILLION_PG_PORT:-5432}
PG_REPLICA_PORT=${MILLION_PG_REPLICA_PORT:-5433}
NGINX_PORT=${NGINX_BENCH_PORT:-18080}
WORK=$(mktemp -d)
trap '[ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT
started=$SECONDS
say() { printf '[capacity %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }

need=()
for tool in wrk nginx pgbench redis-benchmark; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx postgresql-contrib redis-tools >/dev/null
fi

# The platform, with as many replicas as the largest scale, and HAProxy's per-address limit out
# of the way (every request of this run comes from one address; the services' own limits stay on).
max_scale=$(tr ' ' '\n' <<<"$SCALE" | sort -n | tail -n 1)
say "stack/million up ($max_scale replicas per service)"
MILLION_REPLICAS=$max_scale MILLION_HAPROXY_IP_RATE=1000000000 "$ROOT/stack/million" up >"$WORK/up.log" 2>&1 \
  || { tail -n 30 "$WORK/up.log" >&2; exit 1; }

# ------------------------------------------------------------------ the data and the requests
run=$RANDOM$RANDOM
admin="Bearer $("$ROOT/stack/million" token --sub capacity-admin --roles catalog-admin --ttl 3h)"
say "seeding $PRODUCTS products in $CATEGORIES categories and $USERS users"
# One write per line (echo "$(...)"): lines of parallel writers do not interleave.
seq 1 "$PRODUCTS" | xargs -P 4 -I{} sh -c 'echo "$(curl -fs --retry 5 --retry-delay 1 -X POST -H "Content-Type: application/json" -H "Authorization: $1" \
  -d "{\"sku\":\"CAP-$2-$3\",\"name\":\"Capacity product $3\",\"description\":\"350 ml, dishwasher safe\",\"category\":\"cap-$2-$(( $3 % $4 ))\",\"priceCents\":1299,\"currency\":\"EUR\",\"stock\":100000000}" \
  "$5/v1/products" | sed -E "s/.*\"id\":\"([0-9]+)\".*/\1/")"' _ "$admin" "$run" {} "$CATEGORIES" "$HAPROXY" \
  | grep -E '^[0-9]+$' >"$WORK/products"
[ "$(wc -l <"$WORK/products")" = "$PRODUCTS" ] || { echo "only $(wc -l <"$WORK/products") of $PRODUCTS products were created" >&2; exit 1; }
seq 1 "$USERS" | xargs -P 4 -I{} sh -c 'echo "$(curl -fs --retry 5 --retry-delay 1 -X POST -H "Content-Type: application/json" \
  -d "{\"email\":\"cap-$1-$2@example.com\",\"name\":\"Capacity user $2\"}" "$3/v1/users" \
  | sed -E "s/.*\"id\":\"([0-9]+)\".*/\1/")"' _ "$run" {} "$HAPROXY" | grep -E '^[0-9]+$' >"$WORK/users"
[ "$(wc -l <"$WORK/users")" = "$USERS" ] || { echo "only $(wc -l <"$WORK/users") of $USERS users were created" >&2; exit 1; }
while read -r id; do
  echo "$id $("$ROOT/stack/million" token --sub "$id" --ttl 3h)"
done <"$WORK/users" >"$WORK/tokens"

# One request file per endpoint (perf/load/Load.java's format), in the order they are drawn.
while read -r id; do printf 'GET /v1/products/%s HTTP/1.1\nAccept: application/json\n\n%%%%\n' "$id"; done <"$WORK/products" >"$WORK/product.req"
for k in $(seq 0 $((CATEGORIES - 1))); do
  printf 'GET /v1/products?category=cap-%s-%s&limit=20 HTTP/1.1\nAccept: application/json\n\n%%%%\n' "$run" "$k"
done >"$WORK/listing.req"
while read -r id token; do
  printf 'GET /v1/users/%s HTTP/1.1\nAccept: application/json\nAuthorization: Bearer %s\n\n%%%%\n' "$id" "$token"
done <"$WORK/tokens" >"$WORK/user.req"
# Orders: each user in turn, each with a product drawn uniformly (a hot product's stock row would
# serialise every reservation on one row lock, which measures the lock, not the platform).
paste -d' ' <(for _ in $(seq 1 5); do cat "$WORK/tokens"; done) <(shuf -n $((USERS * 5)) -r --random-source=<(yes) "$WORK/products") \
  | while read -r id token product; do
    printf 'POST /v1/orders HTTP/1.1\nAccept: application/json\nContent-Type: application/json\nAuthorization: Bearer %s\nIdempotency-Key: cap-%s-{seq}\n\n{"userId":"%s","items":[{"productId":"%s","quantity":1}]}\n%%%%\n' \
      "$token" "$run" "$id" "$product"
  done >"$WORK/order.req"
shuf -n 500 -r --random-source=<(yes) "$WORK/products" | while read -r id; do
  printf 'PATCH /v1/products/%s HTTP/1.1\nAccept: application/json\nContent-Type: application/merge-patch+json\nAuthorization: %s\n\n{"name":"Capacity product {seq}"}\n%%%%\n' "$id" "$admin"
done >"$WORK/update.req"
pick() { case "$1" in product | listing) echo zipf ;; *) echo cycle ;; esac; }
grep -vE '^\s*(#|$)' "$MIX" | while read -r name weight; do
  [ -f "$WORK/$name.req" ] || { echo "$MIX: no endpoint '$name' (product, listing, user, order, update)" >&2; exit 1; }
  echo "$name $weight $(pick "$name") $name.req"
done >"$WORK/mix.plan"

load() { # plan base-url rate seconds [snapshot command] -> Load.java's lines
  # 2 s first, not counted: the generator's own JIT, on its one core, would otherwise delay the
  # first requests and charge that to the platform. {seq} (Idempotency-Keys, names) starts from
  # the clock in seconds x 100,000: runs a second apart never reuse a key.
  taskset -c "$LOADGEN_CPUS" java -XX:+UseSerialGC -Xmx1g -Dconnections="$CONNECTIONS" -Dwarmup=2 \
    -Dseq.start=$(($(date +%s) % 10000000 * 100000)) ${5:+"-Dsnapshot=$5"} \
    "$ROOT/perf/load/Load.java" --mix "$1" "$2" "$3" "$4"
}

# ------------------------------------------------------------------ counters
replicas() { "$ROOT/stack/million" replicas; }
counters() { # -> key=value ... : CPU ticks per process group, requests per service, PostgreSQL
  # transactions, Redis commands, Kafka messages (the outboxes' publications), edge hits/misses
  local svc management sum
  {
    awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; printf "box_busy=%d box_total=%d\n", busy, busy + $5 + $6}' /proc/stat
    # /proc/<pid>/stat: the command in parentheses, then utime and stime at fields 12 and 13 after it.
    { for f in "$RUN"/*-[1-9].pid "$RUN/kafka.pid"; do
        [ -f "$f" ] && name=$(basename "$f" .pid) && echo "pid $(cat "$f") ${name%-[1-9]}"
      done
      cat /proc/[0-9]*/stat 2>/dev/null; } | awk '
      $1 == "pid" {group[$2] = $3; next}
      { lp = index($0, "("); rp = index($0, ") "); comm = substr($0, lp + 1, rp - lp - 1)
        split(substr($0, rp + 2), f, " "); pid = $1 + 0
        g = (pid in group) ? group[pid] : (comm == "postgres") ? "postgres" : (comm ~ /^redis/) ? "redis" \
          : (comm == "haproxy") ? "haproxy" : (comm ~ /^(varnishd|cache-)/) ? "varnish" : (comm == "java") ? "java_other" : "other"
        ticks[g] += f[12] + f[13] }
      END { for (g in ticks) printf "cpu_%s=%d\n", g, ticks[g] }'
    while read -r svc _ _ management; do
      curl -fs "http://127.0.0.1:$management/q/metrics" | awk -v s="$svc" '
        /^http_server_requests_seconds_count\{/ {r += $2} /^million_outbox_published_total\{/ {k += $2}
        END {printf "req_%s %d\nkafka_%s %d\n", s, r, s, k}'
    done < <(replicas) | awk '{sum[$1] += $2} END {for (k in sum) printf "%s=%d\n", k, sum[k]}'

    for port in "$PG_PORT" "$PG_REPLICA_PORT"; do
      psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c \
        "select split_part(datname, '_', 1), sum(xact_commit) from pg_stat_database where datname ~ '^(users|catalog|orders)_[0-9]+$' group by 1" 2>/dev/null \
        | awk -F'|' -v p="$([ "$port" = "$PG_PORT" ] && echo pg || echo pgreplica)" '{printf "%s_%s=%d\n", p, $1, $2}'
    done
    for svc in users catalog orders; do
      v="MILLION_${svc^^}_REDIS_PORT"
      redis-cli -p "${!v:-$(case $svc in users) echo 6381 ;; catalog) echo 6382 ;; orders) echo 6383 ;; esac)}" info stats 2>/dev/null \
        | awk -F: -v s="$svc" '/^total_commands_processed/ {printf "redis_%s=%d\n", s, $2}'
    done
    varnishstat -n "$MILLION_STATE/varnish" -1 -f MAIN.cache_hit -f MAIN.cache_miss -f MAIN.s_pass 2>/dev/null \
      | awk '{sub("MAIN.", "", $1); printf "edge_%s=%d\n", $1, $2}'
  } | tr '\n' ' '
}
delta() { # before after -> the keys of after, each minus its value before
  awk -v a="$1" -v b="$2" 'BEGIN {
    n = split(a, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); before[kv[1]] = kv[2] }
    n = split(b, y, " "); for (i = 1; i <= n; i++) { split(y[i], kv, "="); printf "%s=%d ", kv[1], kv[2] - before[kv[1]] } }'
}
settle() { # until the saga's work of earlier requests is done: no event published for 6 s and
  # every outbox empty (at most 120 s); otherwise it would be counted against the next measurement
  local last="" now quiet=0 deadline=$((SECONDS + 120))
  while ((quiet < 3 && SECONDS < deadline)); do
    now=$(while read -r _ _ _ management; do curl -fs "http://127.0.0.1:$management/q/metrics"; done < <(replicas) \
      | awk '/^million_outbox_published_total\{/ {p += $2} /^million_outbox_lag_seconds\{/ && $2 > 0 {busy = 1}
             END {printf "%d%s", p, busy ? "+" : ""}')
    if [ "$now" = "$last" ] && [[ "$now" != *+ ]]; then quiet=$((quiet + 1)); else quiet=0; fi
    last=$now
    sleep 2
  done
}
# The generator takes the counters itself when its measured window opens and when it closes
# (-Dsnapshot), so they cover exactly the requests measured: not its start-up, not its warm-up.
export -f counters replicas
export RUN ROOT PG_PORT PG_REPLICA_PORT WORK
measure() { # kind labels plan url rate seconds: one run of the load, recorded with its counters
  local kind=$1 labels=$2 out
  settle
  rm -f "$WORK"/snapshot.*
  out=$(load "$3" "$4" "$5" "$6" 'counters >"$WORK/snapshot.$0"')
  grep '^endpoint=' <<<"$out" | sed "s/^/load $kind $labels offered=$5 seconds=$6 /" >>"$WORK/results"
  echo "counters $kind $labels offered=$5 seconds=$6 unsent=$(sed -n 's/^unsent=//p' <<<"$out") $(delta "$(cat "$WORK/snapshot.start")" "$(cat "$WORK/snapshot.end")")" >>"$WORK/results"
  grep '^endpoint=all ' <<<"$out"
}
saturated() { # a load's "endpoint=all" line -> true when the step is saturated
  awk -v off="$2" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    sub("ms", "", v["p99_all"]); exit !(v["goodput"] < 0.95 * off || v["p99_all"] + 0 > 1000 || v["p99_all"] == "NaN") }' <<<"$1"
}

: >"$WORK/results"
{
  echo "machine date=$(date -u +%Y-%m-%dT%H:%MZ) cores=$(nproc) memory_gib=$(awk '/MemTotal/ {printf "%d", $2 / 1048576}' /proc/meminfo) cpu=$(awk -F': ' '/model name/ {gsub(" ", "_", $2); print $2; exit}' /proc/cpuinfo) commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) loadgen_cpus=$LOADGEN_CPUS step_s=$STEP_S clk_tck=$(getconf CLK_TCK)"
  grep -vE '^\s*(#|$)' "$MIX" | while read -r name weight; do echo "mix endpoint=$name share=$weight"; done
} >>"$WORK/results"

say "warm-up: ${WARMUP}s of the mix at $WARMUP_RATE req/s through the edge"
load "$WORK/mix.plan" "$EDGE" $WARMUP_RATE "$WARMUP" >/dev/null

# ------------------------------------------------------------------ unit costs
# Each endpoint alone at a low rate through HAProxy (no edge hits), after an idle period that
# measures what runs without any request (relays polling, rate-limit syncs, heartbeats).
# Every product read once or twice through HAProxy first, so the caches of every replica are as
# warm as in the curves (the warm-up went through the edge, whose hits never reach a replica).
echo "product 1 cycle product.req" >"$WORK/all-products.plan"
load "$WORK/all-products.plan" "$HAPROXY" 400 $(( (2 * PRODUCTS + 399) / 400 )) >/dev/null
say "unit costs: idle ${STEP_S}s, then each endpoint alone at $UNIT_RATE req/s"
settle
before=$(counters); sleep "$STEP_S"; after=$(counters)
echo "counters idle seconds=$STEP_S $(delta "$before" "$after")" >>"$WORK/results"
while read -r name _; do
  grep "^$name " "$WORK/mix.plan" | awk '{print $1, 1, $3, $4}' >"$WORK/$name.plan"
  line=$(measure unit "endpoint_alone=$name" "$WORK/$name.plan" "$HAPROXY" "$UNIT_RATE" "$STEP_S")
  say "  $name: $line"
done < <(grep -vE '^\s*(#|$)' "$MIX")

# ------------------------------------------------------------------ curves
scale_to() { # n replicas of every service
  local svc
  for svc in users catalog orders; do "$ROOT/stack/million" scale "$svc" "$1" >>"$WORK/up.log" 2>&1; done
}
# The most replicas first (those `up` started, warm by now), then fewer: a replica that stays is
# warm, where one started for a step would run its first minutes in the interpreter.
for n in $(tr ' ' '\n' <<<"$SCALE" | sort -rn); do
  if [ "$n" != "$max_scale" ]; then
    say "scaling every service to $n replicas"
    scale_to "$n"
  fi
  # The mix through HAProxy before a curve: the adaptive concurrency limits learn this traffic
  # (after the unit costs' single endpoints, the first step of a curve met limits sized for them).
  load "$WORK/mix.plan" "$HAPROXY" $WARMUP_RATE "$WARMUP" >/dev/null
  for path in haproxy edge; do
    url=$([ "$path" = edge ] && echo "$EDGE" || echo "$HAPROXY")
    rate=$START_RATE
    for step in $(seq 1 "$MAX_STEPS"); do
      line=$(measure sweep "path=$path replicas=$n step=$step" "$WORK/mix.plan" "$url" "$rate" "$STEP_S")
      say "  $path, $n replicas, $rate req/s offered: $line"
      saturated "$line" "$rate" && break
      rate=$(awk -v r="$rate" -v g="$GROWTH" 'BEGIN {printf "%d", r * g}')
    done
  done
done

[ "$n" = "$max_scale" ] || { say "scaling every service back to $max_scale replicas"; scale_to "$max_scale"; }

# ------------------------------------------------------------------ baselines
say "baselines: nginx serving a product's bytes, pgbench per shard, redis-benchmark"
settle
top=$(head -n 1 "$WORK/products")
mkdir -p "$WORK/www"
curl -fs -H 'Accept: application/json' "$EDGE/v1/products/$top" -o "$WORK/www/product.json"
nginx_url=$(nginx_baseline "$WORK" "$NGINX_PORT")
nginx_rps=$(CONNECTIONS=64 rps "$nginx_url" "$STEP_S")
edge_rps=$(CONNECTIONS=64 rps "$EDGE/v1/products/$top" "$STEP_S")
kill "$(cat "$WORK/nginx.pid")" && rm -f "$WORK/nginx.pid"
# The per-shard ceiling: pgbench running POST /v1/orders' transaction (perf/orders/tx.sql) on a
# copy of an orders shard's tables, 16 clients.
psql_pg() { psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
[ "$(psql_pg -d postgres -c "select count(*) from pg_database where datname = 'capacity_pgbench'")" = 1 ] \
  || psql_pg -d postgres -c "create database capacity_pgbench"
psql_pg -d capacity_pgbench -c "drop table if exists orders, outbox"
pg_dump -s -x -O -t orders -t outbox -h 127.0.0.1 -p "$PG_PORT" -U postgres orders_0 | psql_pg -d capacity_pgbench >/dev/null
pgbench_tps=$(taskset -c "$LOADGEN_CPUS" pgbench -n -M prepared -f "$ROOT/perf/orders/tx.sql" -c 16 -j 1 -T "$STEP_S" \
  -h 127.0.0.1 -p "$PG_PORT" -U postgres capacity_pgbench 2>/dev/null | awk '/^tps/ {printf "%d", $3; exit}')
redis_ops=$(taskset -c "$LOADGEN_CPUS" redis-benchmark -p "${MILLION_CATALOG_REDIS_PORT:-6382}" -q -t get,set -n 200000 -c 32 -d 300 2>/dev/null \
  | tr '\r' '\n' | awk '/requests per second/ {s += $2; n++} END {printf "%d", n ? s / n : 0}')
echo "baseline nginx_rps=${nginx_rps%.*} edge_hit_rps=${edge_rps%.*} pgbench_order_tps=$pgbench_tps redis_ops=$redis_ops" >>"$WORK/results"
say "  nginx $nginx_rps req/s, edge hit $edge_rps req/s, pgbench $pgbench_tps tps, redis $redis_ops ops/s"

cp "$WORK/results" "$RESULTS"
say "results: $RESULTS; the model:"
(cd "$ROOT" && java -Djava.awt.headless=true "$HERE/Report.java" "$RESULTS")
say "done"
