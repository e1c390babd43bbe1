{{/*
One serving Deployment: the shared pool ("serving", every model a caller's tenant can call) or a
merged pool (serving.mergedPools[i]: one adapter merged into its base). $ctx: root, values (the
pool's serving values), name (the object name after the release's), merged (the pool's entry, or
nil for the shared pool).
*/}}
{{- define "finetune.servingPoolLabels" -}}
{{- if .merged -}}
app.kubernetes.io/component: serving-merged
finetune.dev/serving-pool: {{ .merged.name }}
{{- else -}}
app.kubernetes.io/component: serving
{{- end -}}
{{- end -}}

{{/*
Renders the template named .template once per serving pool: the shared pool ("serving"), then each
entry of serving.mergedPools with serving's values under its own (replicaCount, resources,
autoscaling, pdb, ...), separated by "---". A rendering that is blank (a PDB turned off) is left out.
*/}}
{{- define "finetune.servingEach" -}}
{{- $root := .root -}}
{{- $s := $root.Values.serving -}}
{{- $out := list (include .template (dict "root" $root "values" $s "name" "serving" "merged" nil)) -}}
{{- range $i, $p := (default (list) $s.mergedPools) -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$" (toString $p.name)) -}}
{{- fail (printf "serving.mergedPools[%d].name must be a DNS label of at most 30 characters, got %q" $i (toString $p.name)) -}}
{{- end -}}
{{- if not (regexMatch "^([^@/ ]+@[^@/ ]+|[^@/ ]+/[1-9][0-9]*)$" (toString $p.model)) -}}
{{- fail (printf "serving.mergedPools[%d].model must name one adapter, segment@alias or segment/N, got %q" $i (toString $p.model)) -}}
{{- end -}}
{{- if not $p.tenant -}}
{{- fail (printf "serving.mergedPools[%d].tenant must name the tenant (name or id) whose segment %s is" $i (toString $p.model)) -}}
{{- end -}}
{{- $values := mustMergeOverwrite (deepCopy (omit $s "mergedPools")) (deepCopy (omit $p "name" "tenant" "model")) -}}
{{- $out = append $out (include $.template (dict "root" $root "values" $values "name" (printf "serving-%s" $p.name) "merged" $p)) -}}
{{- end -}}
{{- $first := true -}}
{{- range $out -}}
{{- if trim . -}}
{{- if not $first }}
---
{{ end -}}
{{- $first = false -}}
{{ trim . }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "finetune.servingDeployment" -}}
{{- $ctx := . -}}
{{- $root := .root -}}
{{- $s := .values -}}
{{- $name := .name -}}
{{- $merged := .merged -}}
{{- $device := default "cpu" $s.device -}}
{{- if not (has $device (list "cpu" "cuda")) -}}
{{- fail (printf "serving.device must be cpu or cuda, got %q" $device) -}}
{{- end -}}
{{- $gpu := int (default 0 $s.gpu) -}}
{{- if and (eq $device "cuda") (lt $gpu 1) }}{{ $gpu = 1 }}{{ end -}}
{{- if and (eq $device "cpu") (gt $gpu 0) -}}
{{- fail (printf "serving asks for %d GPU(s) but serving.device is cpu; set serving.device: cuda" $gpu) -}}
{{- end -}}
{{- $image := index $s.image $device -}}
{{- $w := $root.Values.workerDefaults -}}
{{- if $merged }}
# A merged pool (serving.mergedPools): {{ $merged.model }} of tenant {{ $merged.tenant }} merged into
# its base at start, answering that model alone at the base's speed (other models: 409
# model_not_in_merged_pool). Clients call its own Service; the Ingress does not route here.
{{- else }}
# OpenAI-compatible serving (inference-server): /v1/chat/completions, /v1/completions and
# /v1/models over the registry's adapters, many adapters on one base model per pod. The Ingress
# routes those paths here; everything else goes to the API.
{{- end }}
# Probes and security settings are the worker pools' (workerDefaults): both load DJL's natives at start.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "finetune.fullname" $root }}-{{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "finetune.labels" $root | nindent 4 }}
    {{- include "finetune.servingPoolLabels" $ctx | nindent 4 }}
  {{- with (include "finetune.annotations" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  {{- if not $s.autoscaling.enabled }}
  replicas: {{ $s.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "finetune.selectorLabels" $root | nindent 6 }}
      {{- include "finetune.servingPoolLabels" $ctx | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "finetune.labels" $root | nindent 8 }}
        {{- include "finetune.servingPoolLabels" $ctx | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    spec:
      serviceAccountName: {{ include "finetune.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $root.Values.serviceAccount.automountServiceAccountToken }}
      {{- with $root.Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      {{- with $s.runtimeClassName }}
      runtimeClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $s.terminationGracePeriodSeconds }}
      {{- if $w.podSecurityContext.enabled }}
      securityContext:
        {{- include "finetune.securityContext" $w.podSecurityContext | nindent 8 }}
      {{- end }}
      {{- with $s.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $s.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $s.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: serving
          image: {{ include "finetune.image" (dict "image" $image "global" $root.Values.global "appVersion" $root.Chart.AppVersion) }}
          imagePullPolicy: {{ $image.pullPolicy }}
          {{- if $w.containerSecurityContext.enabled }}
          securityContext:
            {{- include "finetune.securityContext" $w.containerSecurityContext | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $s.containerPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "finetune.fullname" $root }}
          env:
            - name: SERVER_PORT
              value: {{ $s.containerPort | quote }}
            - name: JAVA_TOOL_OPTIONS
              value: {{ $s.javaToolOptions | quote }}
            - name: FINETUNE_SERVING_DEVICE
              value: {{ $device | quote }}
            - name: FINETUNE_SERVING_WORK_DIR
              value: {{ $s.workDir | quote }}
            - name: FINETUNE_SERVING_BASE_MODELS
              value: {{ join "," $s.baseModels | quote }}
            - name: FINETUNE_SERVING_PRELOAD
              value: {{ $s.preload | quote }}
            - name: FINETUNE_SERVING_CACHE_MAX_ADAPTERS
              value: {{ $s.cache.maxAdapters | quote }}
            - name: FINETUNE_SERVING_CACHE_MAX_BYTES
              value: {{ $s.cache.maxBytes | quote }}
            - name: FINETUNE_SERVING_DECODER_MAX_BATCH_ROWS
              value: {{ $s.decoder.maxBatchRows | quote }}
            - name: FINETUNE_SERVING_DECODER_MAX_KV_TOKENS
              value: {{ $s.decoder.maxKvTokens | quote }}
            {{- with $merged }}
            - name: FINETUNE_SERVING_MERGED_MODEL
              value: {{ .model | quote }}
            - name: FINETUNE_SERVING_MERGED_TENANT
              value: {{ .tenant | quote }}
            {{- end }}
            - name: DJL_CACHE_DIR
              value: {{ $w.djlCacheDir | quote }}
            {{- include "finetune.secretEnv" $root | nindent 12 }}
            {{- with $s.extraEnvVars }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- if $w.startupProbe.enabled }}
          startupProbe:
            {{- include "finetune.httpProbe" (dict "probe" $w.startupProbe "path" "/actuator/health/liveness" "port" "http") | nindent 12 }}
          {{- end }}
          {{- if $w.livenessProbe.enabled }}
          livenessProbe:
            {{- include "finetune.httpProbe" (dict "probe" $w.livenessProbe "path" "/actuator/health/liveness" "port" "http") | nindent 12 }}
          {{- end }}
          {{- if $w.readinessProbe.enabled }}
          readinessProbe:
            {{- include "finetune.httpProbe" (dict "probe" $w.readinessProbe "path" "/actuator/health/readiness" "port" "http") | nindent 12 }}
          {{- end }}
          {{- $res := deepCopy (default (dict) $s.resources) }}
          {{- if gt $gpu 0 }}
          {{- $limits := deepCopy (default (dict) $res.limits) }}
          {{- $_ := set $limits "nvidia.com/gpu" $gpu }}
          {{- $_ := set $res "limits" $limits }}
          {{- end }}
          {{- with $res }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: work
              mountPath: {{ $s.workDir }}
            - name: djl-cache
              mountPath: {{ $w.djlCacheDir }}
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: work
          emptyDir:
            sizeLimit: {{ $s.workDirSizeLimit }}
        - name: djl-cache
          emptyDir:
            sizeLimit: {{ $w.djlCacheSizeLimit }}
        - name: tmp
          emptyDir:
            sizeLimit: {{ $w.tmpDirSizeLimit }}
{{- end -}}

{{- define "finetune.servingService" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "finetune.fullname" $root }}-{{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "finetune.labels" $root | nindent 4 }}
    {{- include "finetune.servingPoolLabels" . | nindent 4 }}
  {{- with (include "finetune.annotations" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  type: ClusterIP
  selector:
    {{- include "finetune.selectorLabels" $root | nindent 4 }}
    {{- include "finetune.servingPoolLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .values.service.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "finetune.servingPdb" -}}
{{- $root := .root -}}
{{- $replicas := int (ternary .values.autoscaling.minReplicas .values.replicaCount (eq .values.autoscaling.enabled true)) -}}
{{- $min := .values.pdb.minAvailable -}}
{{/* a PDB that keeps every pod of the pool would block each node drain: only when the pool runs more pods
     (a percentage only from two pods up: any percentage of one pod rounds up to that pod) */}}
{{- if and .values.pdb.create (ternary (gt $replicas 1) (gt $replicas (int $min)) (kindIs "string" $min)) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "finetune.fullname" $root }}-{{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "finetune.labels" $root | nindent 4 }}
    {{- include "finetune.servingPoolLabels" . | nindent 4 }}
  {{- with (include "finetune.annotations" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  minAvailable: {{ .values.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "finetune.selectorLabels" $root | nindent 6 }}
      {{- include "finetune.servingPoolLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "finetune.servingHpa" -}}
{{- $root := .root -}}
{{- $hpa := .values.autoscaling -}}
{{- if $hpa.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "finetune.fullname" $root }}-{{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "finetune.labels" $root | nindent 4 }}
    {{- include "finetune.servingPoolLabels" . | nindent 4 }}
  {{- with (include "finetune.annotations" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "finetune.fullname" $root }}-{{ .name }}
  minReplicas: {{ $hpa.minReplicas }}
  maxReplicas: {{ $hpa.maxReplicas }}
  metrics:
    {{- if $hpa.targetCPU }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $hpa.targetCPU }}
    {{- end }}
    {{- if $hpa.targetMemory }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $hpa.targetMemory }}
    {{- end }}
{{- end }}
{{- end -}}
