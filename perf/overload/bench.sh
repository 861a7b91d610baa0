#!/usr/bin/env bash
# Overload: a route at twice its measured capacity, with adaptive load shedding (libs/web
# LoadShedding) and without it, in one run. The route is a category listing of the catalog
# (GET /v1/products?category=..&limit=20: one query on each of the 4 shards, merged), the costly
# kind. Two JVMs from the same jar, pinned to core 0: one with shedding (the default), one with
# -Dmillion.web.shedding.enabled=false; the per-address rate limit is off in both so only
# shedding refuses. The load comes from perf/overload/Load.java on core 1: constant rate (open
# loop), latency measured from when each request was due, kept per status.
#
#   1. capacity C: wrk closed-loop at its best concurrency (2-32 connections), the better JVM
#   2. unloaded: C/4 for $DURATION s on the shedding JVM -> p99 of 2xx
#   3. $ROUNDS alternating rounds at 2C for $DURATION s: shedding, then none
# Goals (issue 15): with shedding, p99 of admitted (2xx) <= 2x the unloaded p99 and goodput
# (2xx/s) >= 90 % of C. Medians over the rounds are printed.
#
#   perf/overload/bench.sh                  # 60 s warm-up, 2 rounds of 30 s
#   SHEDDING_OPTS=-Dmillion.web.shedding.algorithm=gradient2 perf/overload/bench.sh   # options of the shedding JVM
#   WARMUP=30 ROUNDS=3 DURATION=20 perf/overload/bench.sh
#
# Loopback only; every phase is bounded by its duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-30}
ROUNDS=${ROUNDS:-2}
SHED_PORT=${OVERLOAD_BENCH_PORT:-18482}
NOSHED_PORT=$((SHED_PORT + 1))
JAR=$ROOT/services/catalog/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"
prepare_bench catalog

start() { # port name [java options]
  start_service "$JAR" "$WORK" "$1" "$2" -Dmillion.ratelimit.enabled=false "${@:3}"
}
# shellcheck disable=SC2086 # SHEDDING_OPTS is a list of JVM options, e.g. -Dmillion.web.shedding.algorithm=vegas
start "$SHED_PORT" shedding ${SHEDDING_OPTS:-}
start "$NOSHED_PORT" none -Dmillion.web.shedding.enabled=false

category="overload-$RANDOM$RANDOM"
admin=$(bearer perf catalog-admin)
for i in $(seq 1 40); do
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' -H "Authorization: $admin" \
    "http://127.0.0.1:$SHED_PORT/v1/products" \
    -d "{\"sku\":\"OVL-$category-$i\",\"name\":\"Item $i\",\"category\":\"$category\",\"priceCents\":100,\"currency\":\"EUR\",\"stock\":5}"
done
path="/v1/products?category=$category&limit=20"
shed_url="http://127.0.0.1:$SHED_PORT$path"
none_url="http://127.0.0.1:$NOSHED_PORT$path"
curl -fs "$shed_url" | grep -q '"items"' || { echo "the listing does not answer" >&2; exit 1; }

wrk_rps() { # url seconds [connections] -> requests per second, closed loop on core 1
  taskset -c 1 wrk -t1 -c"${3:-32}" -d"$2"s "$1" | awk '/Requests\/sec/ {printf "%d", $2}'
}
best_rps() { # url -> the most requests per second over 2-32 connections (the route at its best)
  local c r best=0
  for c in 2 4 8 16 32; do
    r=$(wrk_rps "$1" 5 "$c")
    ((r > best)) && best=$r
  done
  echo "$best"
}
load() { # url rate seconds -> Load.java's line
  # As many connections as many clients would open: more than the limit, so the server sees the
  # overload (a few connections would only queue it in the client, where no shedding can act).
  taskset -c 1 java -XX:+UseSerialGC -Xmx512m -Dconnections="${LOAD_CONNECTIONS:-512}" \
    "$ROOT/perf/overload/Load.java" "$1" "$2" "$3"
}
limit_samples() { # port seconds: the adaptive limit every 0.5 s while a round runs -> "min/median/max"
  local i samples=()
  for ((i = 0; i < $2 * 2; i++)); do
    samples+=("$(curl -fs "http://127.0.0.1:$(management_port "$1")/q/metrics" \
      | awk '/^million_http_concurrency_limit / {print $2}')")
    sleep 0.5
  done
  printf '%s\n' "${samples[@]}" | grep . | sort -g | awk '{v[NR] = $1} END {printf "%s/%s/%s", v[1], v[int((NR + 1) / 2)], v[NR]}'
}
field() { # line name -> value
  sed -E "s/.*[ ^]$2=([^ ]*).*/\1/; s/ms$//" <<<" $1"
}

echo "warming both JVMs for ${WARMUP}s each"
wrk_rps "$shed_url" "$WARMUP" >/dev/null
wrk_rps "$none_url" "$WARMUP" >/dev/null
c1=$(best_rps "$shed_url")
c2=$(best_rps "$none_url")
capacity=$(( c1 > c2 ? c1 : c2 ))
echo "capacity (wrk, the best of 2-32 connections, 5 s each): shedding JVM $c1 req/s, other JVM $c2 req/s -> C = $capacity req/s"
unloaded=$(load "$shed_url" $((capacity / 4)) "$DURATION")
echo "unloaded, C/4: $unloaded"
p99_unloaded=$(field "$unloaded" p99_2xx)

over=$((capacity * 2))
shed_p99=() shed_good=() none_p99=() none_good=()
for round in $(seq 1 "$ROUNDS"); do
  limit_samples "$SHED_PORT" "$DURATION" >"$WORK/limit" &
  sampler=$!
  s=$(load "$shed_url" "$over" "$DURATION")
  wait "$sampler"
  echo "round $round, 2C = $over req/s, shedding: $s; the limit (min/median/max): $(cat "$WORK/limit")"
  n=$(load "$none_url" "$over" "$DURATION")
  echo "round $round, 2C = $over req/s, no shedding: $n"
  shed_p99+=("$(field "$s" p99_2xx)") shed_good+=("$(field "$s" goodput)")
  none_p99+=("$(field "$n" p99_2xx)") none_good+=("$(field "$n" goodput)")
done
sp=$(printf '%s\n' "${shed_p99[@]}" | median) sg=$(printf '%s\n' "${shed_good[@]}" | median)
np=$(printf '%s\n' "${none_p99[@]}" | median) ng=$(printf '%s\n' "${none_good[@]}" | median)
printf '\n%-22s %14s %14s %16s\n' "" "p99 of 2xx" "goodput/s" "goodput / C"
printf '%-22s %12s ms %14s %16s\n' "unloaded (C/4)" "$p99_unloaded" "-" "-"
printf '%-22s %12s ms %14s %16.2f\n' "2C, shedding" "$sp" "$sg" "$(awk -v g="$sg" -v c="$capacity" 'BEGIN {print g / c}')"
printf '%-22s %12s ms %14s %16.2f\n' "2C, no shedding" "$np" "$ng" "$(awk -v g="$ng" -v c="$capacity" 'BEGIN {print g / c}')"
awk -v p="$sp" -v u="$p99_unloaded" -v g="$sg" -v c="$capacity" 'BEGIN {
  printf "goal p99 <= 2x unloaded: %s (%.2fx); goal goodput >= 0.9 C: %s (%.2f)\n",
    (p <= 2 * u ? "met" : "NOT met"), p / u, (g >= 0.9 * c ? "met" : "NOT met"), g / c }'
