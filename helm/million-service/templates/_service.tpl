{{- define "million.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  type: {{ .Values.httpService.type }}
  selector:
    {{- include "million.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.httpService.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "million.ingress" -}}
{{- if .Values.ingress.enabled -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
  {{- with .Values.ingress.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with .Values.ingress.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range .Values.ingress.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ . }}
            pathType: Prefix
            backend:
              service:
                name: {{ include "million.fullname" $ }}
                port:
                  name: http
          {{- end }}
    {{- end }}
{{- end -}}
{{- end -}}

{{- define "million.pdb" -}}
{{- if .Values.pdb.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "million.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}

{{/* Rendered only when the Prometheus Operator's CRDs are there (serviceMonitor.enabled). */}}
{{- define "million.servicemonitor" -}}
{{- if include "million.crd" (dict "root" . "name" "serviceMonitor") -}}
{{- $g := .Values.global | default dict -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
    {{- with (dig "serviceMonitor" "labels" dict $g) }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "million.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /q/metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
      relabelings:
        # The rules and dashboards (observability/) aggregate by service=<users|catalog|orders>,
        # whatever the release calls the Kubernetes Service.
        - action: replace
          targetLabel: service
          replacement: {{ include "million.name" . }}
{{- end -}}
{{- end -}}
