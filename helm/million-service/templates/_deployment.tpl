{{- define "million.deployment" -}}
{{- $flavour := include "million.flavour" . -}}
{{- $g := .Values.global | default dict -}}
{{- $probes := .Values.probes -}}
{{- $jwtKey := include "million.jwtKeyVolume" . -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "million.fullname" . }}
  labels:
    {{- include "million.labels" . | nindent 4 }}
spec:
  {{- if not (or .Values.autoscaling.enabled (include "million.crd" (dict "root" . "name" "keda"))) }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "million.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # New pods come up before old ones go: capacity never dips during a rollout.
      maxSurge: {{ .Values.rollout.maxSurge }}
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "million.labels" . | nindent 8 }}
      annotations:
        # A changed configuration rolls the pods.
        checksum/config: {{ include "million.configmap" . | sha256sum }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with (.Values.imagePullSecrets | default (dig "imagePullSecrets" list $g)) }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      automountServiceAccountToken: false
      # Drain (preStop) + Quarkus' graceful shutdown (in-flight requests, the outbox relay's round)
      # + a margin: the pod is never killed in the middle of either.
      terminationGracePeriodSeconds: {{ include "million.terminationGrace" . }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ .Values.securityContext.runAsUser }}
        runAsGroup: {{ .Values.securityContext.runAsGroup }}
        fsGroup: {{ .Values.securityContext.runAsGroup }}
        seccompProfile:
          type: RuntimeDefault
      {{- if .Values.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: {{ $.Values.topologySpread.maxSkew }}
          topologyKey: {{ $key }}
          whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "million.selectorLabels" $ | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ include "million.name" . }}
          image: {{ include "million.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.http.port }}
              protocol: TCP
            # Health, metrics, OpenAPI and the operator API: never the public port.
            - name: management
              containerPort: {{ .Values.management.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "million.fullname" . }}
          env:
            {{- if eq $flavour "jvm" }}
            # JVM image only: heap as a share of the memory limit, not of the node's memory.
            - name: JAVA_OPTS_APPEND
              value: {{ printf "-XX:MaxRAMPercentage=%v -XX:+ExitOnOutOfMemoryError %s" .Values.jvm.maxRamPercentage .Values.jvm.extraOptions | trim | quote }}
            {{- end }}
            {{- $pg := .Values.postgres.passwordSecret }}
            {{- if $pg.name }}
            {{- $count := len .Values.postgres.shards }}
            {{- range $n, $shard := .Values.postgres.shards }}
            - name: QUARKUS_DATASOURCE__SHARD{{ $n }}__PASSWORD
              valueFrom:
                secretKeyRef: {name: {{ $pg.name | quote }}, key: {{ $pg.key | quote }}}
            {{- if $shard.replicaUrl }}
            - name: QUARKUS_DATASOURCE__SHARD{{ add $count $n }}__PASSWORD
              valueFrom:
                secretKeyRef: {name: {{ $pg.name | quote }}, key: {{ $pg.key | quote }}}
            {{- end }}
            {{- end }}
            {{- end }}
            {{- if .Values.redis.passwordSecret.name }}
            - name: QUARKUS_REDIS_PASSWORD
              valueFrom:
                secretKeyRef: {name: {{ .Values.redis.passwordSecret.name | quote }}, key: {{ .Values.redis.passwordSecret.key | quote }}}
            {{- end }}
            {{- range .Values.secretEnv }}
            - name: {{ .name }}
              valueFrom:
                secretKeyRef: {name: {{ .secretName | quote }}, key: {{ .key | quote }}}
            {{- end }}
          startupProbe:
            httpGet: {path: /q/health/started, port: management}
            periodSeconds: {{ $probes.startup.periodSeconds }}
            failureThreshold: {{ ternary $probes.startup.nativeFailureThreshold $probes.startup.failureThreshold (eq $flavour "native") }}
          readinessProbe:
            httpGet: {path: /q/health/ready, port: management}
            periodSeconds: {{ $probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $probes.readiness.failureThreshold }}
          livenessProbe:
            httpGet: {path: /q/health/live, port: management}
            periodSeconds: {{ $probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $probes.liveness.failureThreshold }}
          lifecycle:
            # Endpoints are removed asynchronously: keep serving while load balancers catch up,
            # then SIGTERM starts Quarkus' graceful shutdown (quarkus.shutdown.timeout). The
            # sleep (shutdown.drainSeconds) is sized on what HAProxy took locally (values.yaml).
            preStop:
              sleep:
                seconds: {{ .Values.shutdown.drainSeconds }}
          resources:
            {{- toYaml (ternary .Values.nativeResources .Values.resources (eq $flavour "native")) | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            # Vert.x' file cache and the JVM's temporary files: the only writable path.
            - name: tmp
              mountPath: /tmp
            {{- if $jwtKey }}
            # The issuer's public key (PEM) that verifies bearer JWTs: read-only, never a private key.
            - name: jwt-public-key
              mountPath: {{ dir (include "million.jwtPublicKeyPath" .) }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ .Values.tmpSizeLimit }}
        {{- if $jwtKey }}
        - name: jwt-public-key
          {{- $jwtKey | nindent 10 }}
        {{- end }}
{{- end -}}
