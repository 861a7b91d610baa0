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

start_service() { # jar work-dir port name [java options]: one JVM pinned to core 0, until ready
  local jar=$1 work=$2 port=$3 name=$4; shift 4
  taskset -c 0 java -Xms256m -Xmx512m -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.management.port="$(management_port "$port")" -Dquarkus.log.level=WARN \
    "$@" -jar "$jar" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
  wait_ready "$port" "$work/$name.log"
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

nginx_baseline() { # work-dir port: nginx at its best for one static file, pinned to core 0, serving
  # work-dir/www/product.json (1 worker, sendfile, no access log, keep-alive without a request
  # limit); stopped with `kill "$(cat work-dir/nginx.pid)"`. Prints the file's URL. The work-dir
  # (mktemp's are 0700) is opened to nginx's unprivileged workers.
  chmod 755 "$1"
  cat >"$1/nginx.conf" <<NGINX
worker_processes 1;
pid $1/nginx.pid;
error_log $1/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$2;
    root $1/www;
    default_type application/json;
  }
}
NGINX
  taskset -c 0 nginx -c "$1/nginx.conf" -p "$1"
  curl -fs "http://127.0.0.1:$2/product.json" | cmp -s - "$1/www/product.json" \
    || { echo "nginx does not serve the same bytes" >&2; exit 1; }
  echo "http://127.0.0.1:$2/product.json"
}

rps() { # url seconds: wrk -t1 -c$CONNECTIONS on core 1, requests per second
  taskset -c 1 wrk -t1 -c"${CONNECTIONS:-64}" -d"$2"s "$1" | awk '/^Requests\/sec/ {print $2}'
}

median() { # numbers on stdin, one per line
  sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
