{{/*
The Service: port "http" (the public /v1/ API) and port "management" (health, metrics, OpenAPI,
operator API; what the ServiceMonitor scrapes). The management port is only ever on a ClusterIP
Service: when httpService.type exposes the Service outside the cluster (NodePort, LoadBalancer),
it moves to a second, ClusterIP Service <fullname>-management.
*/}}
{{- define "million.service" -}}
{{- $internal := eq .Values.httpService.type "ClusterIP" -}}
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
    {{- if $internal }}
    - name: management
      port: {{ .Values.management.port }}
      targetPort: management
      protocol: TCP
    {{- end }}
{{- if not $internal }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ printf "%s-management" (include "million.fullname" . | trunc 52 | trimSuffix "-") }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "million.selectorLabels" . | nindent 4 }}
  ports:
    - name: management
      port: {{ .Values.management.port }}
      targetPort: management
      protocol: TCP
{{- end }}
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
    - port: management
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


{{/*
Who may connect (networkPolicy.enabled): the public port "http" only from the ingress controller
(the services talk to each other over Kafka, never over HTTP), the port "management" only from
monitoring (Prometheus). The kubelet's probes are not subject to NetworkPolicy; egress is left open.
*/}}
{{- define "million.networkPolicyPeer" -}}
{{- if not (or .peer.namespaceSelector .peer.podSelector) -}}
{{- fail (printf "networkPolicy.%s: set namespaceSelector and/or podSelector" .name) -}}
{{- end -}}
{{- with .peer.namespaceSelector }}
namespaceSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .peer.podSelector }}
podSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "million.networkpolicy" -}}
{{- $np := .Values.networkPolicy -}}
{{- if $np.enabled -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "million.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - {port: http, protocol: TCP}
      from:
        - {{ include "million.networkPolicyPeer" (dict "peer" $np.ingressController "name" "ingressController") | trim | nindent 10 | trim }}
    - ports:
        - {port: management, protocol: TCP}
      from:
        - {{ include "million.networkPolicyPeer" (dict "peer" $np.monitoring "name" "monitoring") | trim | nindent 10 | trim }}
{{- end -}}
{{- end -}}
