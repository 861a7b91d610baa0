#!/usr/bin/env bash
# A global rate limit across two replicas: two users replicas (same jar, same Redis) share a
# policy of $LIMIT requests per second per client address (sliding window, hybrid: local decisions
# reconciled with Redis every 25 ms); one wrk per replica offers load for $DURATION s, as fast as
# two connections go (thousands of req/s), or paced with DELAY_MS between a connection's requests. Prints, per second, what both replicas admitted together and what they refused,
# then the median and how many seconds fell within LIMIT +- 5 %.
#
#   perf/ratelimit/replicas.sh               # 100 req/s policy, 30 s
#   LIMIT=200 ALGORITHM=token-bucket MODE=strict perf/ratelimit/replicas.sh
#
# Loopback only; bounded by DURATION.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LIMIT=${LIMIT:-100}
DELAY_MS=${DELAY_MS:-0}
DURATION=${DURATION:-30}
ALGORITHM=${ALGORITHM:-sliding-window}
MODE=${MODE:-hybrid}
CONNECTIONS=${CONNECTIONS:-2} # per replica
BASE_PORT=${RATELIMIT_BENCH_PORT:-18481}
JAR=$ROOT/services/users/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"

prepare_bench users

policy=accuracy$RANDOM # a fresh key space in Redis for every run
for replica in 1 2; do
  port=$((BASE_PORT + replica - 1))
  java -Xms128m -Xmx384m -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.management.port="$(management_port "$port")" -Dquarkus.log.level=WARN \
    -Dquarkus.redis.hosts="redis://127.0.0.1:${MILLION_USERS_REDIS_PORT:-6381}/3" -Dmillion.outbox.relay=false \
    "-Dmillion.ratelimit.policies.$policy.match=GET /v1/users/*" \
    "-Dmillion.ratelimit.policies.$policy.key=ip" \
    "-Dmillion.ratelimit.policies.$policy.algorithm=$ALGORITHM" \
    "-Dmillion.ratelimit.policies.$policy.limit=$LIMIT" \
    "-Dmillion.ratelimit.policies.$policy.mode=$MODE" \
    -jar "$JAR" >"$WORK/users-$replica.log" 2>&1 &
  echo $! >"$WORK/users-$replica.pid"
done
for replica in 1 2; do wait_ready $((BASE_PORT + replica - 1)) "$WORK/users-$replica.log"; done
curl -fs -D - -o /dev/null "http://127.0.0.1:$BASE_PORT/v1/users/0" 2>/dev/null | grep -qi "ratelimit-policy: \"$policy\"" \
  || curl -s -D - -o /dev/null "http://127.0.0.1:$BASE_PORT/v1/users/0" | grep -qi "ratelimit-policy: \"$policy\"" \
  || { echo "policy $policy is not applied" >&2; exit 1; }

for replica in 1 2; do
  port=$((BASE_PORT + replica - 1))
  COUNTS_FILE="$WORK/counts-$replica" DELAY_MS=$DELAY_MS wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" \
    -s "$ROOT/perf/ratelimit/count.lua" "http://127.0.0.1:$port/v1/users/0" >"$WORK/wrk-$replica.out" &
  echo $! >"$WORK/wrk-$replica.pid"
done
wait "$(cat "$WORK/wrk-1.pid")" "$(cat "$WORK/wrk-2.pid")"
rm -f "$WORK"/wrk-*.pid

# Merge by second; the first and the last second are partial and left out.
sort -n "$WORK"/counts-* | awk '{ a[$1] += $2; r[$1] += $3 } END { for (s in a) print s, a[s], r[s] }' | sort -n \
  | sed '1d;$d' >"$WORK/seconds"
printf '%-12s %9s %9s %9s\n' second admitted refused offered
awk '{ printf "%-12s %9d %9d %9d\n", $1, $2, $3, $2 + $3 }' "$WORK/seconds"
median=$(cut -d' ' -f2 "$WORK/seconds" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
awk -v limit="$LIMIT" -v median="$median" '
  { n++; offered += $2 + $3; if ($2 >= limit * 0.95 && $2 <= limit * 1.05) within++ }
  END { printf "median admitted per second: %s (policy %d/s); %d of %d seconds within +-5 %%; offered %.0f req/s\n",
        median, limit, within, n, offered / n }' "$WORK/seconds"
echo "(2 replicas, ${MODE} ${ALGORITHM}, sync every 25 ms; wrk -t1 -c$CONNECTIONS per replica, delay ${DELAY_MS} ms)"
