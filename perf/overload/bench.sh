#!/usr/bin/env bash
# Overload: a route at twice its measured capacity, with adaptive load shedding (libs/web
# LoadShedding) and without it, in one run. The route is a category listing of the catalog
# (GET /v1/products?category=..&limit=20: one query on each of the 4 shards, merged), the costly
# kind. Two JVMs from the same jar, pinned to core 0: one with shedding (the default), one with
# -Dmillion.web.shedding.enabled=false; the per-address rate limit is off in both so only
# shedding refuses. The load comes from perf/load/Load.java on core 1: constant rate (open
# loop), latency measured from when each request was due, kept per status; each run's first
# $LOAD_WARMUP (5) s are sent but not counted, while the generator itself warms up.
#
#   1. after the warm-up, the connection count (2-32) at which wrk gets the most 2xx per second,
#      and a control: the generator against nginx serving the same bytes at C/4 and 2C
#   2. $ROUNDS rounds, each: capacity C (wrk closed loop at that count, 5 s on each JVM, the better
#      one's 2xx/s), unloaded (C/4 for $DURATION s on the shedding JVM -> p99 of 2xx), then 2C for
#      $DURATION s with shedding, then 2C without, then C again: the goodput goal is taken against
#      the mean of C before and after, since this VM's speed drifts within a round
# Goals (issue 15): with shedding, p99 of admitted (2xx) <= 2x the round's unloaded p99 and goodput
# (2xx/s) >= 90 % of the round's C. Medians of the per-round ratios are printed.
#
#   perf/overload/bench.sh                  # 60 s warm-up, 3 rounds of 3 x 20 s
#   SHEDDING_OPTS=-Dmillion.web.shedding.algorithm=gradient2 perf/overload/bench.sh   # options of the shedding JVM
#   WARMUP=30 ROUNDS=3 DURATION=20 perf/overload/bench.sh
#
# Loopback only; every phase is bounded by its duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
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

wrk_rps() { # url seconds connections -> 2xx per second, closed loop on core 1 (refusals do not count)
  taskset -c 1 wrk -t1 -c"$3" -d"$2"s "$1" | awk -v s="$2" '
    /requests in/ {n = $1} /Non-2xx or 3xx/ {bad = $5} END {printf "%d", (n - bad) / s}'
}
best_connections() { # url -> the connection count (2-32) at which the route answers the most
  local c r best=0 at=8
  for c in 2 4 8 16 32; do
    r=$(wrk_rps "$1" 5 "$c")
    ((r > best)) && best=$r at=$c
  done
  echo "$at"
}
load() { # url rate seconds -> Load.java's line
  # As many connections as many clients would open: more than the limit, so the server sees the
  # overload (a few connections would only queue it in the client, where no shedding can act).
  # The first $LOAD_WARMUP s are sent but not counted: the generator starts interpreted, and at
  # 4,000 req/s its own warm-up put nginx's p99 (a static file) at 28-45 ms, against 1.6-2.1 ms
  # with 3 s uncounted (the control below prints it every run).
  taskset -c 1 java -XX:+UseSerialGC -Xmx512m -Dconnections="${LOAD_CONNECTIONS:-512}" \
    -Dwarmup="${LOAD_WARMUP:-5}" "$ROOT/perf/load/Load.java" "$1" "$2" "$3"
}
limit_samples() { # port seconds: the costly priority's adaptive limit (listings and writes: this route) every 0.5 s while a round runs -> "min/median/max"
  local i samples=()
  for ((i = 0; i < $2 * 2; i++)); do
    samples+=("$(curl -fs "http://127.0.0.1:$(management_port "$1")/q/metrics" \
      | awk '/^million_http_concurrency_limit{priority="costly"/ {print $2}')")
    sleep 0.5
  done
  printf '%s\n' "${samples[@]}" | grep . | sort -g | awk '{v[NR] = $1} END {printf "%s/%s/%s", v[1], v[int((NR + 1) / 2)], v[NR]}'
}
field() { # line name -> value
  sed -E "s/.*[ ^]$2=([^ ]*).*/\1/; s/ms$//" <<<" $1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
capacity() { # n -> "shedding-JVM other-JVM": each one's wrk 2xx/s, in an order alternating with n
  # A JVM overloaded a moment ago may still be draining its queue; the order alternates so neither
  # JVM is always measured first.
  local s o
  if (($1 % 2)); then
    o=$(wrk_rps "$none_url" 5 "$connections") s=$(wrk_rps "$shed_url" 5 "$connections")
  else
    s=$(wrk_rps "$shed_url" 5 "$connections") o=$(wrk_rps "$none_url" 5 "$connections")
  fi
  echo "$s $o"
}

echo "warming both JVMs for ${WARMUP}s each"
wrk_rps "$shed_url" "$WARMUP" 8 >/dev/null
wrk_rps "$none_url" "$WARMUP" 8 >/dev/null
connections=$(best_connections "$none_url")
echo "the route answers the most at $connections connections (wrk, 2-32, 5 s each, the JVM without shedding)"
# The control: the generator's own latency at the rates of a round, against nginx serving the
# listing's bytes on core 0 (a server far from its limit), so a p99 the generator causes is seen.
mkdir -p "$WORK/www"
curl -fs "$shed_url" >"$WORK/www/product.json"
nginx_url=$(nginx_baseline "$WORK" "$((SHED_PORT + 2))")
c0=$(wrk_rps "$none_url" 5 "$connections")
echo "control, nginx at C/4 = $((c0 / 4)): $(load "$nginx_url" $((c0 / 4)) "$DURATION")"
echo "control, nginx at 2C = $((2 * c0)):  $(load "$nginx_url" $((2 * c0)) "$DURATION")"
kill "$(cat "$WORK/nginx.pid")"
# The JIT compiles what a JVM runs: the overload path (refusals, a full limit) only once it has run
# it. One untimed round at 2C on each JVM, so the rounds measure the steady state, not the warm-up.
warm=$(( 2 * $(wrk_rps "$none_url" 5 "$connections") ))
load "$shed_url" "$warm" "$DURATION" >/dev/null
load "$none_url" "$warm" "$DURATION" >/dev/null

# This VM's speed swings by a quarter between minutes, so every round measures its own capacity
# and unloaded p99 right before its overload, and the goals are medians of the per-round ratios.
p99_ratio=() shed_share=() none_share=() none_p99_ratio=()
for round in $(seq 1 "$ROUNDS"); do
  sleep 5
  read -r c1 c2 < <(capacity "$round")
  before=$((c1 > c2 ? c1 : c2))
  unloaded=$(load "$shed_url" $((before / 4)) "$DURATION")
  over=$((before * 2))
  limit_samples "$SHED_PORT" "$DURATION" >"$WORK/limit" &
  sampler=$!
  s=$(load "$shed_url" "$over" "$DURATION")
  wait "$sampler"
  n=$(load "$none_url" "$over" "$DURATION")
  sleep 5
  read -r a1 a2 < <(capacity "$((round + 1))")
  after=$((a1 > a2 ? a1 : a2))
  capacity=$(((before + after) / 2))
  echo "round $round: C = $capacity req/s, the mean of $before before and $after after (wrk at $connections connections, 5 s each: shedding JVM $c1 / $a1, other $c2 / $a2)"
  echo "  unloaded, C/4:      $unloaded"
  echo "  2C = $over, shedding: $s; the limit (min/median/max): $(cat "$WORK/limit")"
  echo "  2C = $over, none:     $n"
  u=$(field "$unloaded" p99_2xx)
  p99_ratio+=("$(ratio "$(field "$s" p99_2xx)" "$u")") shed_share+=("$(ratio "$(field "$s" goodput)" "$capacity")")
  none_p99_ratio+=("$(ratio "$(field "$n" p99_2xx)" "$u")") none_share+=("$(ratio "$(field "$n" goodput)" "$capacity")")
  echo "  ratios: shedding p99 ${p99_ratio[-1]}x unloaded, goodput ${shed_share[-1]} C; none p99 ${none_p99_ratio[-1]}x, goodput ${none_share[-1]} C"
done
sp=$(printf '%s\n' "${p99_ratio[@]}" | median) sg=$(printf '%s\n' "${shed_share[@]}" | median)
np=$(printf '%s\n' "${none_p99_ratio[@]}" | median) ng=$(printf '%s\n' "${none_share[@]}" | median)
printf '\nmedians over %s rounds    p99 of 2xx / unloaded p99    goodput / C\n' "$ROUNDS"
printf '%-26s %27sx %14s\n' "2C, shedding" "$sp" "$sg" "2C, no shedding" "$np" "$ng"
awk -v p="$sp" -v g="$sg" 'BEGIN {
  printf "goal p99 <= 2x unloaded: %s (%.2fx); goal goodput >= 0.9 C: %s (%.2f)\n",
    (p <= 2 ? "met" : "NOT met"), p, (g >= 0.9 ? "met" : "NOT met"), g }'
