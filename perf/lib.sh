# shellcheck shell=bash
# Shared by the perf/ scripts (source it): waiting for a service and minting tokens.
# A service started by a bench listens on HTTP port P and serves /q/* on its management port,
# P + 1000 (-Dquarkus.management.port, see management_port).

management_port() { echo $(($1 + 1000)); }

wait_ready() { # http-port log-file: until /q/health/ready on the management port answers 200 (60 s)
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$(management_port "$1")/q/health/ready" && return 0
    sleep 0.5
  done
  tail -n 30 "$2" >&2
  echo "the service on $1 did not become ready" >&2
  exit 1
}

bearer() { # sub [roles]: "Bearer <token>" from the local key pair (stack/million token)
  echo "Bearer $("$ROOT/stack/million" token --sub "$1" ${2:+--roles "$2"} --ttl 2h 2>/dev/null)"
}

prepare_bench() { # service: wrk installed, PostgreSQL/Redis/Kafka up, the service's jar built
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  "$ROOT/stack/million" infra >/dev/null
  [ -f "$ROOT/services/$1/target/quarkus-app/quarkus-run.jar" ] \
    || (cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests install -pl "services/$1" -am)
}
