{{/*
The service's configuration as environment variables (ordinal 300: over application.properties).
Every entry is a Quarkus key; the variable name is that key in Quarkus' environment form
(quarkus.datasource."shard0".reactive.url -> QUARKUS_DATASOURCE__SHARD0__REACTIVE_URL).
Secret values never come here: see million.secretEnv in the Deployment.
*/}}
{{- define "million.configmap" -}}
{{- $tracing := fromYaml (include "million.tracing" .) -}}
{{- $shards := .Values.postgres.shards -}}
{{- $g := .Values.global | default dict -}}
{{- if eq (int .Values.http.port) (int .Values.management.port) -}}
{{- fail "management.port must differ from http.port (the public port serves /v1/ only)" -}}
{{- end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
data:
  QUARKUS_HTTP_PORT: {{ .Values.http.port | quote }}
  # The management interface (enabled at build time): /q/health, /q/metrics, /q/openapi and the
  # operator API (/admin/*) on their own port, on every address of the pod (the build binds
  # loopback) so that the kubelet's probes and Prometheus reach it; the NetworkPolicy admits only
  # monitoring there.
  QUARKUS_MANAGEMENT_PORT: {{ .Values.management.port | quote }}
  QUARKUS_MANAGEMENT_HOST: "0.0.0.0"
  # X-Forwarded-For (the client address of per-address rate limits) is honoured only from these peers.
  MILLION_TRUSTED_PROXIES: {{ include "million.trustedProxies" . | quote }}
  MILLION_RATELIMIT_ENABLED: {{ dig "rateLimit" "enabled" true $g | quote }}
  # Bearer JWTs (RS256), verified with the issuer's public key: a JWKS URL, or a PEM file mounted
  # from a Secret or ConfigMap (the Deployment). The private key never comes near these charts.
  MP_JWT_VERIFY_ISSUER: {{ dig "auth" "issuer" "million" $g | quote }}
  MP_JWT_VERIFY_AUDIENCES: {{ dig "auth" "audience" "million" $g | quote }}
  MP_JWT_VERIFY_PUBLICKEY_LOCATION: {{ include "million.jwtKeyLocation" . | quote }}
  # A JWKS URL is fetched with a blocking client: verify on a worker thread then (a mounted key
  # file is read once, and verification stays on the event loop).
  MILLION_JWT_BLOCKING: {{ ternary "true" "false" (ne (dig "auth" "jwksUrl" "" $g) "") | quote }}
  QUARKUS_SHUTDOWN_TIMEOUT: {{ printf "%ds" (int .Values.shutdown.timeoutSeconds) | quote }}
  # The preStop sleep (shutdown.drainSeconds) already keeps the pod serving while it leaves the
  # endpoints, so Quarkus' own readiness-DOWN delay (5 s locally, for HAProxy) is not added to it:
  # the grace period (drain + timeout + margin) stays what it says.
  MILLION_SHUTDOWN_DELAY: "0s"
  # Shard map: million.sharding.shards shards, shard n on slot "shard<n>" (libs/sharding).
  MILLION_SHARDING_SHARDS: {{ len $shards | quote }}
  MILLION_SHARDING_USERNAME: {{ .Values.postgres.username | quote }}
  MILLION_SHARDING_POOL_SIZE: {{ .Values.postgres.poolSize | quote }}
  MILLION_SHARDING_MAP_REFRESH: {{ .Values.postgres.mapRefresh | quote }}
  MILLION_SHARDING_MIGRATE_AT_START: {{ .Values.postgres.migrateAtStart | quote }}
  {{- with .Values.postgres.bucketMap }}
  MILLION_SHARDING_MAP: {{ . | quote }}
  {{- end }}
  {{- /* A shard's streaming replica (replicaUrl) is slot <shard count> + <shard>: its stale-tolerant reads go there. */}}
  {{- $replicas := dict }}
  {{- range $n, $shard := $shards }}
  {{- if $shard.replicaUrl }}
  {{- if gt (add (len $shards) $n) 15 }}
  {{- fail (printf "postgres.shards[%d].replicaUrl: a replica needs slot %d, beyond the 16 slots of the build (at most 8 shards with replicas)" $n (add (len $shards) $n)) }}
  {{- end }}
  {{- $_ := set $replicas (toString (add (len $shards) $n)) $shard.replicaUrl }}
  MILLION_SHARDING_REPLICA_{{ $n }}: {{ add (len $shards) $n | quote }}
  {{- end }}
  {{- end }}
  {{- if $replicas }}
  MILLION_SHARDING_REPLICA_MAX_LAG: {{ .Values.postgres.replicaMaxLag | default "PT2S" | quote }}
  {{- end }}
  {{- range $n := until 16 }}
  {{- $active := or (lt $n (len $shards)) (hasKey $replicas (toString $n)) }}
  {{- if lt $n (len $shards) }}
  QUARKUS_DATASOURCE__SHARD{{ $n }}__REACTIVE_URL: {{ (index $shards $n).url | quote }}
  {{- else if $active }}
  QUARKUS_DATASOURCE__SHARD{{ $n }}__REACTIVE_URL: {{ get $replicas (toString $n) | quote }}
  {{- end }}
  QUARKUS_DATASOURCE__SHARD{{ $n }}__ACTIVE: {{ $active | quote }}
  QUARKUS_HIBERNATE_ORM__SHARD{{ $n }}__ACTIVE: {{ $active | quote }}
  {{- end }}
  QUARKUS_REDIS_HOSTS: {{ .Values.redis.hosts | quote }}
  KAFKA_BOOTSTRAP_SERVERS: {{ required "kafka.bootstrapServers (or global.kafka.bootstrapServers) is required" (include "million.kafkaBootstrap" .) | quote }}
  MILLION_OUTBOX_RELAY: {{ .Values.outbox.relay | quote }}
  MILLION_OUTBOX_BATCH_SIZE: {{ .Values.outbox.batchSize | quote }}
  MILLION_OUTBOX_POLL_INTERVAL: {{ .Values.outbox.pollInterval | quote }}
  MILLION_OUTBOX_LINGER: {{ .Values.outbox.linger | quote }}
  MILLION_CACHE_ENABLED: {{ .Values.cache.enabled | quote }}
  MILLION_CACHE_REDIS_TIMEOUT: {{ .Values.cache.redisTimeout | quote }}
  # Tracing: OTLP export; the sampler (parentbased_traceidratio) is fixed at build time in
  # libs/web, its ratio is set here (W3C traceparent over HTTP and Kafka).
  QUARKUS_OTEL_SDK_DISABLED: {{ not $tracing.enabled | quote }}
  {{- if $tracing.enabled }}
  QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT: {{ required "tracing.endpoint is required when tracing is enabled" $tracing.endpoint | quote }}
  QUARKUS_OTEL_TRACES_SAMPLER_ARG: {{ ternary $tracing.samplerRatio 0.01 (hasKey $tracing "samplerRatio") | toString | quote }}
  {{- end }}
  {{- range $key, $value := .Values.config }}
  {{ include "million.envName" $key }}: {{ $value | toString | quote }}
  {{- end }}
{{- end -}}
