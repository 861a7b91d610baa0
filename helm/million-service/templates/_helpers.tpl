{{/*
Names, labels and the values shared with the umbrella chart (`global`). A service chart sets what
is its own; the umbrella's `global` block fills what a service chart leaves empty.
*/}}

{{- define "million.name" -}}
{{- .Values.service | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "million.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "million.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "million.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "million.selectorLabels" -}}
app.kubernetes.io/name: {{ include "million.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "million.labels" -}}
{{ include "million.selectorLabels" . }}
app.kubernetes.io/part-of: million
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* jvm or native: the service's own choice, else the umbrella's. */}}
{{- define "million.flavour" -}}
{{- $g := .Values.global | default dict -}}
{{- .Values.image.flavour | default (dig "image" "flavour" "" $g) | default "jvm" -}}
{{- end -}}

{{- define "million.image" -}}
{{- $g := .Values.global | default dict -}}
{{- $registry := .Values.image.registry | default (dig "image" "registry" "" $g) -}}
{{- $tag := .Values.image.tag | default (dig "image" "tag" "" $g) | default .Chart.AppVersion -}}
{{- $suffix := ternary "-native" "" (eq (include "million.flavour" .) "native") -}}
{{- if $registry -}}
{{- printf "%s/%s:%s%s" $registry .Values.image.repository $tag $suffix -}}
{{- else -}}
{{- printf "%s:%s%s" .Values.image.repository $tag $suffix -}}
{{- end -}}
{{- end -}}

{{- define "million.kafkaBootstrap" -}}
{{- $g := .Values.global | default dict -}}
{{- .Values.kafka.bootstrapServers | default (dig "kafka" "bootstrapServers" "" $g) -}}
{{- end -}}

{{/* Tracing settings (YAML, for fromYaml): the service's own keys override the umbrella's one by one. */}}
{{- define "million.tracing" -}}
{{- $g := .Values.global | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy (dig "tracing" dict $g)) (deepCopy (.Values.tracing | default dict))) -}}
{{- end -}}

{{/* Prometheus Operator / KEDA switches: on when the service or the umbrella turns them on. */}}
{{- define "million.crd" -}}
{{- $g := .root.Values.global | default dict -}}
{{- if or (dig "enabled" false (index .root.Values .name | default dict)) (dig .name "enabled" false $g) -}}true{{- end -}}
{{- end -}}

{{/* A Quarkus property name as the environment variable Quarkus reads it from. */}}
{{- define "million.envName" -}}
{{- regexReplaceAll "[^A-Za-z0-9]" . "_" | upper -}}
{{- end -}}

{{/* Seconds between SIGTERM and SIGKILL: drain, then Quarkus' shutdown timeout, then a margin. */}}
{{- define "million.terminationGrace" -}}
{{- add .Values.shutdown.drainSeconds .Values.shutdown.timeoutSeconds .Values.shutdown.marginSeconds -}}
{{- end -}}

{{/*
Proxies whose X-Forwarded-For is believed (million.web.trusted-proxies), comma-separated:
global.trustedProxies, else 10.0.0.0/8 (a common pod network; set it to the ingress
controller's pod CIDR).
*/}}
{{- define "million.trustedProxies" -}}
{{- $g := .Values.global | default dict -}}
{{- $proxies := dig "trustedProxies" (list "10.0.0.0/8") $g -}}
{{- if not $proxies -}}
{{- fail "global.trustedProxies is empty: list the ingress controller's pod CIDR (or addresses)" -}}
{{- end -}}
{{- join "," $proxies -}}
{{- end -}}

{{/*
Where the services find the key that verifies bearer JWTs (mp.jwt.verify.publickey.location):
global.auth.jwksUrl, or the PEM of global.auth.publicKey (a Secret or ConfigMap the operator
creates) mounted at /etc/million/jwt/public.pem. Exactly one of them.
*/}}
{{- define "million.jwtPublicKeyPath" -}}/etc/million/jwt/public.pem{{- end -}}

{{- define "million.jwtKeyLocation" -}}
{{- $g := .Values.global | default dict -}}
{{- $jwks := dig "auth" "jwksUrl" "" $g -}}
{{- $secret := dig "auth" "publicKey" "secretName" "" $g -}}
{{- $configMap := dig "auth" "publicKey" "configMapName" "" $g -}}
{{- if and $secret $configMap -}}
{{- fail "global.auth.publicKey: set secretName or configMapName, not both" -}}
{{- else if and $jwks (or $secret $configMap) -}}
{{- fail "global.auth: set jwksUrl or publicKey, not both" -}}
{{- else if $jwks -}}
{{- $jwks -}}
{{- else if or $secret $configMap -}}
{{- printf "file:%s" (include "million.jwtPublicKeyPath" .) -}}
{{- else -}}
{{- fail "global.auth: no key to verify JWTs with. Set global.auth.jwksUrl (the issuer's JWKS URL) or global.auth.publicKey.configMapName / .secretName (an existing ConfigMap or Secret holding the issuer's PEM public key under publicKey.key, default public.pem), e.g. kubectl create configmap million-jwt-public-key --from-file=public.pem=public.pem" -}}
{{- end -}}
{{- end -}}

{{/* The volume source of the JWT public key (YAML), or nothing with a JWKS URL. */}}
{{- define "million.jwtKeyVolume" -}}
{{- $g := .Values.global | default dict -}}
{{- $key := dig "auth" "publicKey" "key" "public.pem" $g -}}
{{- $items := list (dict "key" $key "path" (base (include "million.jwtPublicKeyPath" .))) -}}
{{- with dig "auth" "publicKey" "secretName" "" $g -}}
{{- toYaml (dict "secret" (dict "secretName" . "items" $items "defaultMode" 292)) -}}
{{- end -}}
{{- with dig "auth" "publicKey" "configMapName" "" $g -}}
{{- toYaml (dict "configMap" (dict "name" . "items" $items "defaultMode" 292)) -}}
{{- end -}}
{{- end -}}
