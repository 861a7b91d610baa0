#!/usr/bin/env bash
# The cost of authentication on a read, in one run: GET /v1/users/{id} with a bearer token
# verified per request (RS256, SmallRye JWT) against the same read on a second JVM from the same
# jar with authentication off (million.auth.enabled=false). Same ids, same databases and Redis;
# both on core 0 in alternating rounds, wrk on core 1. Prints req/s, p99 and the ratio per round
# and the median. Goal: on/off >= 0.9.
#
#   perf/users/auth.sh                    # 60 s warm-up each, 3 rounds of 20 s
#   WARMUP=120 ROUNDS=5 perf/users/auth.sh
#
# Loopback only; every phase is bounded by its duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${USERS_AUTH_BENCH_PORT:-18191}
OFF_PORT=$((PORT + 1))
JAR=$ROOT/services/users/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"

prepare_bench users

start() { # port name [java options]
  start_service "$JAR" "$WORK" "$1" "$2" -Dmillion.sharding.database=users_perf -Dmillion.outbox.relay=false "${@:3}"
}
psql_admin() { psql -X -q -tA -h 127.0.0.1 -p "${MILLION_PG_PORT:-5432}" -U postgres -d postgres -c "$1"; }
for slot in 0 1 2 3; do
  [ "$(psql_admin "select count(*) from pg_database where datname = 'users_perf_$slot'")" = 1 ] \
    || psql_admin "create database users_perf_$slot owner users"
done
start "$PORT" auth-on
start "$OFF_PORT" auth-off -Dmillion.auth.enabled=false

AUTHORIZATION=$(bearer perf-operator operator)
export AUTHORIZATION
: >"$WORK/ids"
for i in $(seq 1 200); do
  curl -fs -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"auth-bench-$RANDOM$RANDOM-$i@example.com\",\"name\":\"Perf\"}" "http://127.0.0.1:$PORT/v1/users" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >>"$WORK/ids"
done
id=$(head -n 1 "$WORK/ids")
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/users/$id")" = 401 ] \
  || { echo "authentication is not on at $PORT" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OFF_PORT/v1/users/$id")" = 200 ] \
  || { echo "authentication is not off at $OFF_PORT" >&2; exit 1; }

measure() { # port seconds -> "req/s p99 non-2xx"
  local out
  out=$(IDS_FILE="$WORK/ids" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency \
    -s "$ROOT/perf/users/get.lua" "http://127.0.0.1:$1/v1/users")
  echo "$(awk '/^Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out") \
$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out" | grep . || echo 0)"
}

echo "warming both JVMs for ${WARMUP}s each"
measure "$PORT" "$WARMUP" >/dev/null
measure "$OFF_PORT" "$WARMUP" >/dev/null
ratios=()
printf '%-6s %14s %10s %8s %14s %10s %8s %8s\n' round "auth req/s" p99 non-2xx "no-auth req/s" p99 non-2xx ratio
for round in $(seq 1 "$ROUNDS"); do
  read -r a ap ae <<<"$(measure "$PORT" "$DURATION")"
  read -r o op oe <<<"$(measure "$OFF_PORT" "$DURATION")"
  r=$(awk -v a="$a" -v o="$o" 'BEGIN {printf "%.3f", a / o}')
  ratios+=("$r")
  printf '%-6s %14s %10s %8s %14s %10s %8s %8s\n' "$round" "$a" "$ap" "$ae" "$o" "$op" "$oe" "$r"
done
echo "median ratio auth on/off: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}') (goal >= 0.9)"
echo "(wrk -t1 -c$CONNECTIONS, ${DURATION}s rounds after ${WARMUP}s warm-up each; both JVMs on core 0, wrk on core 1)"
