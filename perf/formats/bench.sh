#!/usr/bin/env bash
# JSON against CBOR (issue 16), in one run:
#  1. body size of a product, a page of 20 products and an order, as the services answer them
#     (a catalog and an orders JVM started here), raw and gzip -6 compressed;
#  2. encode and decode cost per object with Jackson (JMH, perf/formats/jmh, the same objects);
#  3. cache-hit throughput of GET /v1/products/{id} in CBOR against JSON (the catalog's hot path
#     from L1, where the CBOR body is kept beside the JSON one), in alternating rounds, medians.
# The catalog JVM is pinned to core 0 and wrk to core 1, as in perf/catalog/bench.sh.
#
#   perf/formats/bench.sh                          # 60 s warm-up, 5 rounds of 15 s per format
#   WARMUP=120 ROUNDS=5 DURATION=20 perf/formats/bench.sh
#
# Loopback only; every phase is bounded by its duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-64}
CATALOG_PORT=${CATALOG_BENCH_PORT:-18282}
ORDERS_PORT=${ORDERS_BENCH_PORT:-18383}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=perf/lib.sh
. "$ROOT/perf/lib.sh"

prepare_bench catalog
prepare_bench orders
(cd "$ROOT" && ./mvnw -B -q -ntp -f perf/formats/jmh/pom.xml package dependency:build-classpath \
  -Dmdep.outputFile="$WORK/jmh.classpath" >/dev/null)

start_service "$ROOT/services/catalog/target/quarkus-app/quarkus-run.jar" "$WORK" "$CATALOG_PORT" catalog \
  -Dmillion.catalog.product-cache.ttl=PT1H -Dmillion.ratelimit.enabled=false
start_service "$ROOT/services/orders/target/quarkus-app/quarkus-run.jar" "$WORK" "$ORDERS_PORT" orders \
  -Dmillion.ratelimit.enabled=false

catalog="http://127.0.0.1:$CATALOG_PORT"
admin="Authorization: $(bearer perf catalog-admin)"
category="formats-$RANDOM$RANDOM"
for i in $(seq 1 20); do
  id=$(curl -fs -X POST -H 'Content-Type: application/json' -H "$admin" "$catalog/v1/products" \
    -d "{\"sku\":\"FMT-$category-$i\",\"name\":\"Stoneware mug $i\",\"description\":\"350 ml, dishwasher safe\",\"category\":\"$category\",\"priceCents\":$((1000 + i)),\"currency\":\"EUR\",\"stock\":100}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  [ "$i" = 1 ] && first=$id
done
user=$((RANDOM * 32768 + RANDOM + 1))
order=$(curl -fs -X POST -H 'Content-Type: application/json' -H "Authorization: $(bearer "$user")" \
  -H "Idempotency-Key: formats-$RANDOM$RANDOM" "http://127.0.0.1:$ORDERS_PORT/v1/orders" \
  -d "{\"userId\":\"$user\",\"items\":[{\"productId\":$first,\"quantity\":2},{\"productId\":$id,\"quantity\":1}]}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

mkdir -p "$WORK/docs"
fetch() { # name url [header]: the answer in JSON and in CBOR, into docs/name.{json,cbor}
  curl -fs ${3:+-H "$3"} "$2" -o "$WORK/docs/$1.json"
  curl -fs ${3:+-H "$3"} -H 'Accept: application/cbor' "$2" -o "$WORK/docs/$1.cbor"
}
fetch product "$catalog/v1/products/$first"
fetch page "$catalog/v1/products?category=$category&limit=20"
fetch order "http://127.0.0.1:$ORDERS_PORT/v1/orders/$order" "Authorization: $(bearer "$user")"
kill "$(cat "$WORK/orders.pid")" && rm "$WORK/orders.pid"
items=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$WORK/docs/page.json")
[ "$items" = 20 ] || { echo "the page holds $items products, not 20" >&2; exit 1; }

echo "## Body size (bytes)"
echo
printf '| object | JSON | CBOR | CBOR/JSON | JSON gzip -6 | CBOR gzip -6 | gzip CBOR/JSON |\n|---|---|---|---|---|---|---|\n'
for object in product page order; do
  j=$(wc -c <"$WORK/docs/$object.json") c=$(wc -c <"$WORK/docs/$object.cbor")
  jz=$(gzip -6 -c "$WORK/docs/$object.json" | wc -c) cz=$(gzip -6 -c "$WORK/docs/$object.cbor" | wc -c)
  printf '| %s | %s | %s | %.2f | %s | %s | %.2f |\n' "$object" "$j" "$c" "$(awk -v a="$c" -v b="$j" 'BEGIN{print a/b}')" \
    "$jz" "$cz" "$(awk -v a="$cz" -v b="$jz" 'BEGIN{print a/b}')"
done

echo
echo "## Encode + decode per object (JMH, Jackson, ns/op; lower is better)"
echo
taskset -c 1 java -cp "$ROOT/perf/formats/jmh/target/classes:$(cat "$WORK/jmh.classpath")" -Ddocuments="$WORK/docs" \
  org.openjdk.jmh.Main FormatBench -rf csv -rff "$WORK/jmh.csv" -jvmArgsAppend "-Ddocuments=$WORK/docs" >"$WORK/jmh.log" 2>&1 \
  || { tail -n 30 "$WORK/jmh.log" >&2; exit 1; }
printf '| object | JSON encode | CBOR encode | JSON decode | CBOR decode | CBOR/JSON (encode + decode) |\n|---|---|---|---|---|---|\n'
python3 - "$WORK/jmh.csv" <<'PY'
import csv, sys
rows = {}
for row in csv.DictReader(open(sys.argv[1])):
    op = row["Benchmark"].rsplit(".", 1)[1]
    rows[(row["Param: object"], row["Param: format"], op)] = float(row["Score"])
for obj in ("product", "page", "order"):
    je, ce = rows[(obj, "json", "encode")], rows[(obj, "cbor", "encode")]
    jd, cd = rows[(obj, "json", "decode")], rows[(obj, "cbor", "decode")]
    print(f"| {obj} | {je:,.0f} | {ce:,.0f} | {jd:,.0f} | {cd:,.0f} | {(ce + cd) / (je + jd):.2f} |")
PY

echo
echo "## Cache hit, GET /v1/products/{id} from L1 (wrk -t1 -c$CONNECTIONS, ${DURATION}s rounds, req/s)"
echo
url="$catalog/v1/products/$first"
rate() { # accept seconds
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s -H "Accept: $1" "$url" | awk '/^Requests\/sec/ {print $2}'
}
rate application/json "$WARMUP" >/dev/null
rate application/cbor "$WARMUP" >/dev/null
ratios=()
printf '| round | JSON | CBOR | CBOR/JSON |\n|---|---|---|---|\n'
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then j=$(rate application/json "$DURATION"); c=$(rate application/cbor "$DURATION")
  else c=$(rate application/cbor "$DURATION"); j=$(rate application/json "$DURATION"); fi
  r=$(awk -v c="$c" -v j="$j" 'BEGIN {printf "%.3f", c / j}')
  ratios+=("$r")
  printf '| %s | %s | %s | %s |\n' "$round" "$j" "$c" "$r"
done
echo
echo "median CBOR/JSON cache-hit throughput: $(printf '%s\n' "${ratios[@]}" | median) (catalog on core 0, wrk on core 1)"
