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
