#!/usr/bin/env bash
# Users storage path, 1 shard vs 4 shards in one run: POST /v1/users (a create: user row + email
# claim in one shard transaction) and GET /v1/users/{id} (a primary-key read routed from the id,
# on a warm pool, with the Redis tier switched off so every read reaches PostgreSQL).
#
#   perf/users/bench.sh                     # defaults: 15 s warm-up, 20 s per measurement
#   WARMUP=30 DURATION=60 perf/users/bench.sh
#
# Loopback only; every phase is bounded by its duration. The service is pinned to core 0 and wrk
# to core 1 (PostgreSQL is not pinned: on 2 cores it shares both). Prints throughput and p99.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARMUP=${WARMUP:-15}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-32}
PG_PORT=${MILLION_PG_PORT:-5432}
JAR=$ROOT/services/users/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"

prepare_bench users

psql_admin() { psql -X -q -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "$1"; }

start() { # shards port
  local shards=$1 port=$2 db=users_perf$1 slot args=()
  for ((slot = 0; slot < shards; slot++)); do
    [ "$(psql_admin "select count(*) from pg_database where datname = '${db}_$slot'")" = 1 ] \
      || psql_admin "create database ${db}_$slot owner users"
  done
  for ((slot = shards; slot < 4; slot++)); do
    args+=("-Dquarkus.hibernate-orm.\"shard$slot\".active=false" "-Dquarkus.datasource.\"shard$slot\".active=false")
  done
  taskset -c 0 java -Xms256m -Xmx512m -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -Dmillion.sharding.shards="$shards" -Dmillion.sharding.database="$db" -Dmillion.cache.enabled=false \
    -Dquarkus.management.port="$(management_port "$port")" -Dmillion.ratelimit.enabled=false \
    -Dquarkus.log.level=WARN "${args[@]}" -jar "$JAR" >"$WORK/users-$shards.log" 2>&1 &
  echo $! >"$WORK/users-$shards.pid"
  wait_ready "$port" "$WORK/users-$shards.log"
}
# Reads and the listing need a token: an operator's reads every user (auth cost: perf/users/auth.sh).
AUTHORIZATION=$(bearer perf-operator operator)
export AUTHORIZATION

measure() { # label seconds url script -> "req/s p99"
  local out
  out=$(RUN_ID="$RANDOM$RANDOM" IDS_FILE="$WORK/ids" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency \
    -s "$ROOT/perf/users/$4" "$3")
  local rps p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  echo "$1 ${rps} ${p99} ${errors:-0}"
}

ids() { # collect up to 2,000 user ids through the listing
  local port=$1 cursor="" page
  : >"$WORK/ids"
  for _ in $(seq 1 20); do
    page=$(curl -fs -H "Authorization: $AUTHORIZATION" "http://127.0.0.1:$port/v1/users?limit=100${cursor:+&cursor=$cursor}")
    python3 -c 'import json,sys; [print(u["id"]) for u in json.load(sys.stdin)["items"]]' <<<"$page" >>"$WORK/ids"
    cursor=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["next"] or "")' <<<"$page")
    [ -n "$cursor" ] || break
  done
}

results=()
for shards in 1 4; do
  port=$((18180 + shards))
  start "$shards" "$port"
  url="http://127.0.0.1:$port/v1/users"
  measure warmup "$WARMUP" "$url" post.lua >/dev/null
  results+=("$(measure "POST/${shards}shard" "$DURATION" "$url" post.lua)")
  ids "$port"
  measure warmup "$WARMUP" "$url" get.lua >/dev/null
  results+=("$(measure "GET/${shards}shard" "$DURATION" "$url" get.lua)")
  kill "$(cat "$WORK/users-$shards.pid")"
  rm -f "$WORK/users-$shards.pid"
  sleep 2
done

printf '\n%-14s %12s %10s %8s\n' "scenario" "req/s" "p99" "non-2xx"
for row in "${results[@]}"; do
  read -r label rps p99 errors <<<"$row"
  printf '%-14s %12s %10s %8s\n' "$label" "$rps" "$p99" "$errors"
done
echo "(wrk -t1 -c$CONNECTIONS, ${DURATION}s after ${WARMUP}s warm-up; service on core 0, wrk on core 1)"
