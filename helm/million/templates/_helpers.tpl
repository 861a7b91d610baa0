{{- define "million.platform.labels" -}}
app.kubernetes.io/name: million
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: million
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The Kubernetes Service name a service chart gives itself (its million.fullname). */}}
{{- define "million.platform.serviceName" -}}
{{- $svc := index .root.Values .name -}}
{{- include "million.fullname" (dict "Values" $svc "Release" .root.Release "Chart" (dict "Name" .name)) -}}
{{- end -}}
