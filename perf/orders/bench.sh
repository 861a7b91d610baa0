#!/usr/bin/env bash
# Orders write path in one run, against pgbench on the same PostgreSQL:
#
#  1. Throughput: POST /v1/orders (order row + outbox row in one shard transaction, 202 Accepted;
#     the relay publishing to Kafka meanwhile) with wrk, alternating with pgbench running the
#     same transaction (tx.sql) on a copy of the same tables; median of ROUNDS rounds each, and
#     the ratio (goal >= 0.7).
#  2. The saga: users, catalog and orders running, orders for real users and products at a
#     steady rate (SAGA_WARMUP s unmeasured at SAGA_RATE/s; then SAGA_DURATION s at each rate of
#     SAGA_RATES in turn, default SAGA_RATE); per rate: the POST rate reached, the highest outbox
#     lag of the three services (sampled every second), the orders still PENDING 5 s after the
#     load stops, and the time from the 202 to the final state, p50 and p99, from the orders' own
#     timestamps (created_at -> updated_at). The sustained saga rate is the highest rate at which
#     the outbox lag stayed under 1 s and nothing was PENDING 5 s after (the consumers kept up);
#     the steps stop at the first rate that fails.
#
#   perf/orders/bench.sh          # about 13 minutes (JVMs warm up 120 s: the JIT needs it)
#   SKIP_THROUGHPUT=1 SAGA_RATE=200 SAGA_WARMUP=60 SAGA_DURATION=30 perf/orders/bench.sh
#   SKIP_THROUGHPUT=1 SAGA_WARMUP=60 SAGA_DURATION=60 SAGA_RATES="250 500 750 1000" perf/orders/bench.sh
#   ROUNDS=5 DURATION=30 perf/orders/bench.sh
#
# Loopback only; every phase is bounded by its duration. Services run from the packaged jars on
# their own databases (<service>_perf_N), Redis db 2 and perf.* topics, so a running platform and
# the tests are left alone. wrk and pgbench are pinned to core 1; services and PostgreSQL share both.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/perf/orders
WARMUP=${WARMUP:-120}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
SAGA_RATE=${SAGA_RATE:-40}
SAGA_DURATION=${SAGA_DURATION:-30}
SAGA_WARMUP=${SAGA_WARMUP:-120}
PG_PORT=${MILLION_PG_PORT:-5432}
KAFKA_PORT=${MILLION_KAFKA_PORT:-9092}
declare -A PORT=([users]=18481 [catalog]=18482 [orders]=18483)
declare -A REDIS=([users]=${MILLION_USERS_REDIS_PORT:-6381} [catalog]=${MILLION_CATALOG_REDIS_PORT:-6382} [orders]=${MILLION_ORDERS_REDIS_PORT:-6383})
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; [ -n "${KEEP_LOGS:-}" ] || rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"
# Orders and product writes need a token: an operator's places orders for every user.
AUTHORIZATION=$(bearer perf-operator operator)
export AUTHORIZATION

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
"$ROOT/stack/million" infra >/dev/null
for svc in users catalog orders; do
  [ -f "$ROOT/services/$svc/target/quarkus-app/quarkus-run.jar" ] \
    || (cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests install)
done

psql_db() { psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -c "$2"; }
for svc in users catalog orders; do
  for shard in 0 1 2 3; do
    [ "$(psql_db postgres "select count(*) from pg_database where datname = '${svc}_perf_$shard'")" = 1 ] \
      || psql_db postgres "create database ${svc}_perf_$shard owner $svc"
  done
done

declare -A CHANNELS=([users]="orders-events" [catalog]="orders-events" [orders]="catalog-events users-events")

start() { # service topic-prefix
  local svc=$1 prefix=$2 port=${PORT[$1]} channel topics=()
  for channel in ${CHANNELS[$svc]}; do # e.g. orders-events reads <prefix>orders.events
    topics+=("-Dmp.messaging.incoming.$channel.topic=${prefix}${channel%-events}.events")
  done
  java -Xms256m -Xmx512m -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.management.port="$(management_port "$port")" -Dmillion.ratelimit.enabled=false \
    -Dmillion.sharding.database="${svc}_perf" \
    -Dquarkus.redis.hosts="redis://127.0.0.1:${REDIS[$svc]}/2" \
    -Dmillion.outbox.topic-prefix="$prefix" \
    "${topics[@]}" \
    -Dmp.messaging.connector.smallrye-kafka.dead-letter-queue.topic="${prefix}${svc}.dlq" \
    -Dkafka.bootstrap.servers="127.0.0.1:$KAFKA_PORT" \
    ${MILLION_PERF_OPTS:-} -Dquarkus.log.level=WARN -Dquarkus.log.console.json.enabled=false \
    -jar "$ROOT/services/$svc/target/quarkus-app/quarkus-run.jar" >"$WORK/$svc.log" 2>&1 &
  echo $! >"$WORK/$svc.pid"
  wait_ready "$port" "$WORK/$svc.log"
}

stop() { kill "$(cat "$WORK/$1.pid")" 2>/dev/null || true; rm -f "$WORK/$1.pid"; sleep 2; }

wrk_post() { # seconds connections [env...] -> "req/s p99 non2xx"
  local seconds=$1 connections=$2 out rps p99 errors
  shift 2
  out=$(env RUN_ID="$RANDOM$RANDOM" "$@" taskset -c 1 wrk -t1 -c"$connections" -d"$seconds"s --latency \
    -s "$HERE/post.lua" "http://127.0.0.1:${PORT[orders]}/v1/orders")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  echo "$rps $p99 ${errors:-0}"
}

pgbench_tps() { # seconds -> tps
  taskset -c 1 pgbench -n -M prepared -f "$HERE/tx.sql" -c "$CONNECTIONS" -j 1 -T "$1" \
    -h 127.0.0.1 -p "$PG_PORT" -U postgres orders_pgbench 2>/dev/null | awk '/^tps/ {print $3; exit}'
}


# ------------------------------------------------------------------ 1. throughput vs pgbench
if [ "${SKIP_THROUGHPUT:-0}" != 1 ]; then
start orders "perf.load."
# pgbench's copy of the tables: same columns and indexes, no relay reading its outbox.
[ "$(psql_db postgres "select count(*) from pg_database where datname = 'orders_pgbench'")" = 1 ] \
  || psql_db postgres "create database orders_pgbench"
psql_db orders_pgbench "drop table if exists orders, outbox"
pg_dump -s -x -O -t orders -t outbox -h 127.0.0.1 -p "$PG_PORT" -U postgres orders_perf_0 \
  | psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d orders_pgbench >/dev/null

echo "warm-up: ${WARMUP}s of POST /v1/orders, ${WARMUP}s of pgbench" >&2
wrk_post "$WARMUP" "$CONNECTIONS" >/dev/null
pgbench_tps "$WARMUP" >/dev/null
service_rows=() bench_rows=()
for round in $(seq 1 "$ROUNDS"); do
  bench_rows+=("$(pgbench_tps "$DURATION")")
  service_rows+=("$(wrk_post "$DURATION" "$CONNECTIONS")")
  echo "round $round: pgbench ${bench_rows[-1]} tps; POST /v1/orders ${service_rows[-1]} (req/s p99 non-2xx)" >&2
done
stop orders
service_rps=$(printf '%s\n' "${service_rows[@]}" | awk '{print $1}' | median)
service_p99=$(printf '%s\n' "${service_rows[@]}" | awk '{print $2}' | sort -V | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
service_errors=$(printf '%s\n' "${service_rows[@]}" | awk '{s += $3} END {print s}')
bench_tps=$(printf '%s\n' "${bench_rows[@]}" | median)
unsent=0
for shard in 0 1 2 3; do
  unsent=$((unsent + $(psql_db "orders_perf_$shard" "select count(*) from outbox")))
done
fi

# ------------------------------------------------------------------ 2. the saga, 202 -> CONFIRMED
prefix="perf.saga.$RANDOM$RANDOM."
start users "$prefix"
start catalog "$prefix"
start orders "$prefix"
: >"$WORK/users" && : >"$WORK/products"
for i in $(seq 1 100); do
  curl -fs -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"perf-$RANDOM$RANDOM-$i@example.com\",\"name\":\"Perf\"}" "http://127.0.0.1:${PORT[users]}/v1/users" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >>"$WORK/users"
done
for i in $(seq 1 50); do
  curl -fs -X POST -H 'Content-Type: application/json' \
    -d "{\"sku\":\"PERF-$RANDOM$RANDOM-$i\",\"name\":\"Perf\",\"category\":\"perf\",\"priceCents\":100,\"currency\":\"EUR\",\"stock\":100000000}" \
    -H "Authorization: $AUTHORIZATION" "http://127.0.0.1:${PORT[catalog]}/v1/products" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >>"$WORK/products"
done
summary() {
  for shard in 0 1 2 3; do
    psql_db "orders_perf_$shard" "select status, extract(epoch from updated_at - created_at) from orders
      where created_at >= '$since'" | tr '|' ' '
  done
}
pending() { summary | awk '$1 == "PENDING"' | wc -l; }
settle() { # bounded: at most 120 s for every order since $since to leave PENDING
  for _ in $(seq 1 120); do
    [ "$(pending)" = 0 ] && return 0
    sleep 1
  done
  return 1
}
max_outbox_lag() { # the highest million_outbox_lag_seconds of the three services, now
  for svc in users catalog orders; do
    curl -fs "http://127.0.0.1:$(management_port "${PORT[$svc]}")/q/metrics" | awk '/^million_outbox_lag_seconds/ {print $2}'
  done | sort -g | tail -1
}
saga_round() { # rate seconds -> "post_rps p99 errors max_outbox_lag pending_after_5s"
  local rate=$1 seconds=$2 connections delay lag_file=$WORK/lag out
  # wrk paces each connection (a delay after each answer): many connections with a long delay keep
  # the answer's latency a small share of the period, so the offered rate is close to the target.
  connections=$(( rate / 5 > 8 ? rate / 5 : 8 ))
  delay=$((1000 * connections / rate))
  : >"$lag_file"
  (for _ in $(seq 1 "$seconds"); do max_outbox_lag >>"$lag_file"; sleep 1; done) &
  local sampler=$!
  out=$(wrk_post "$seconds" "$connections" DELAY_MS="$delay" USERS_FILE="$WORK/users" PRODUCTS_FILE="$WORK/products")
  wait "$sampler" || true
  sleep 5
  echo "$out $(sort -g "$lag_file" | tail -1) $(pending)"
}
latency() { # -> "confirmed rejected pending p50_ms p99_ms" of the orders since $since (202 -> final)
  summary | sort -k2 -g | awk '
  $1 != "PENDING" {c[++n] = $2} $1 == "REJECTED" {r++} $1 == "PENDING" {p++}
  END {printf "%d %d %d %.1f %.1f", n - r, r, p, n ? c[int(n * 0.50) + (n * 0.50 > int(n * 0.50))] * 1000 : 0,
       n ? c[int(n * 0.99) + (n * 0.99 > int(n * 0.99))] * 1000 : 0}'
}
# Unmeasured: the consumers join their groups and find the new topics, the JIT warms up.
since=$(psql_db postgres "select now()")
saga_round "$SAGA_RATE" "$SAGA_WARMUP" >/dev/null
settle || true
# The sustained rate: the highest offered rate at which the outbox lag stays under 1 s and every
# order is final 5 s after the load stops (consumer lag did not grow).
sustained=0
rounds_out=()
for rate in ${SAGA_RATES:-$SAGA_RATE}; do
  since=$(psql_db postgres "select now()")
  read -r post_rps post_p99 post_errors lag left <<<"$(saga_round "$rate" "$SAGA_DURATION")"
  ok=no
  if awk -v l="${lag:-0}" 'BEGIN {exit !(l < 1)}' && [ "$left" = 0 ]; then ok=yes; sustained=$post_rps; fi
  settle || true
  read -r confirmed rejected still p50 p99 <<<"$(latency)"
  rounds_out+=("$(printf '   offered %5s/s: POST %8s req/s (p99 %s, non-2xx %s); outbox lag max %ss; PENDING 5 s after: %s; 202 -> final p50 %s ms, p99 %s ms (%s confirmed, %s rejected, %s pending) -> %s' \
    "$rate" "$post_rps" "$post_p99" "$post_errors" "${lag:-0}" "$left" "$p50" "$p99" "$confirmed" "$rejected" "$still" "$ok")")
  echo "${rounds_out[-1]}" >&2
  [ "$ok" = yes ] || break
done

[ "${SKIP_THROUGHPUT:-0}" = 1 ] || {
printf '\n1. POST /v1/orders vs pgbench (same transaction, same PostgreSQL; median of %s rounds of %ss, %s connections)\n' \
  "$ROUNDS" "$DURATION" "$CONNECTIONS"
printf '   %-24s %10s tps\n' "pgbench (tx.sql)" "$bench_tps"
printf '   %-24s %10s req/s   p99 %s   non-2xx %s\n' "POST /v1/orders (202)" "$service_rps" "$service_p99" "$service_errors"
printf '   %-24s %10s   (goal >= 0.7)\n' "ratio" "$(awk -v a="$service_rps" -v b="$bench_tps" 'BEGIN {printf "%.2f", a / b}')"
printf '   outbox rows still unsent when the load stopped: %s\n' "$unsent"
}
printf '\n2. The saga (users, catalog, orders, Kafka and PostgreSQL on the same 2 cores), %ss per rate\n' "$SAGA_DURATION"
printf '%s\n' "${rounds_out[@]}"
printf '   sustained saga rate: %s orders/s (goal >= 1000)\n' "$sustained"
