{{/*
Horizontal scaling. Without KEDA: an HPA on CPU and on requests per second per pod (a Pods metric
served by the Prometheus adapter, see helm/prometheus-adapter.yaml). With KEDA (keda.enabled):
a ScaledObject with the same CPU and RPS triggers plus cron windows for predictable peaks; KEDA
then owns the HPA, so this chart renders none.
*/}}
{{- define "million.behavior" -}}
scaleUp:
  stabilizationWindowSeconds: {{ .scaleUp.stabilizationWindowSeconds }}
  selectPolicy: Max
  policies:
    - type: Percent
      value: {{ .scaleUp.percent }}
      periodSeconds: {{ .scaleUp.periodSeconds }}
    - type: Pods
      value: {{ .scaleUp.pods }}
      periodSeconds: {{ .scaleUp.periodSeconds }}
scaleDown:
  stabilizationWindowSeconds: {{ .scaleDown.stabilizationWindowSeconds }}
  selectPolicy: Min
  policies:
    - type: Percent
      value: {{ .scaleDown.percent }}
      periodSeconds: {{ .scaleDown.periodSeconds }}
{{- end -}}

{{- define "million.hpa" -}}
{{- $a := .Values.autoscaling -}}
{{- if and $a.enabled (not (include "million.crd" (dict "root" . "name" "keda"))) -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "million.fullname" . }}
  # minReplicas is the warm buffer: enough pods to absorb a burst while new ones start.
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- if $a.requestsPerSecond.enabled }}
    - type: Pods
      pods:
        metric:
          name: {{ $a.requestsPerSecond.metricName }}
        target:
          type: AverageValue
          averageValue: {{ $a.requestsPerSecond.targetPerPod | quote }}
    {{- end }}
  behavior:
    {{- include "million.behavior" $a.behavior | nindent 4 }}
{{- end -}}
{{- end -}}

{{- define "million.scaledobject" -}}
{{- $a := .Values.autoscaling -}}
{{- if include "million.crd" (dict "root" . "name" "keda") -}}
{{- $g := .Values.global | default dict -}}
{{- $prometheus := .Values.keda.prometheusAddress | default (dig "keda" "prometheusAddress" "" $g) -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    name: {{ include "million.fullname" . }}
  minReplicaCount: {{ $a.minReplicas }}
  maxReplicaCount: {{ $a.maxReplicas }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        {{- include "million.behavior" $a.behavior | nindent 8 }}
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: {{ $a.targetCPUUtilizationPercentage | quote }}
    {{- if $a.requestsPerSecond.enabled }}
    - type: prometheus
      metadata:
        serverAddress: {{ required "keda.prometheusAddress (or global.keda.prometheusAddress) is required for the RPS trigger" $prometheus | quote }}
        query: {{ printf "sum(rate(http_server_requests_seconds_count{service=%q,namespace=%q}[2m]))" (include "million.name" .) .Release.Namespace | quote }}
        threshold: {{ $a.requestsPerSecond.targetPerPod | quote }}
    {{- end }}
    {{- range .Values.keda.cron }}
    # Predictable peak: at least desiredReplicas pods from start to end.
    - type: cron
      metadata:
        timezone: {{ .timezone | quote }}
        start: {{ .start | quote }}
        end: {{ .end | quote }}
        desiredReplicas: {{ .desiredReplicas | quote }}
    {{- end }}
{{- end -}}
{{- end -}}
