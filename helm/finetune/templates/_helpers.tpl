{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "finetune.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object name prefix: release-chart unless the release already carries the chart name. */}}
{{- define "finetune.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "finetune.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "finetune.labels" -}}
helm.sh/chart: {{ include "finetune.chart" . }}
app.kubernetes.io/name: {{ include "finetune.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: finetune
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels; callers add app.kubernetes.io/component (and finetune.dev/pool for workers). */}}
{{- define "finetune.selectorLabels" -}}
app.kubernetes.io/name: {{ include "finetune.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "finetune.annotations" -}}
{{- with .Values.commonAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "finetune.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "finetune.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
An image reference. Call with (dict "image" $img "global" .Values.global "appVersion" .Chart.AppVersion).
A digest wins over a tag; an empty tag means the chart's appVersion.
*/}}
{{- define "finetune.image" -}}
{{- $registry := default .global.imageRegistry .image.registry -}}
{{- $repo := .image.repository -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .appVersion .image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* A security context block without the chart's own "enabled" switch. */}}
{{- define "finetune.securityContext" -}}
{{- if .enabled }}
{{- toYaml (omit . "enabled") }}
{{- end }}
{{- end -}}

{{/*
An HTTP probe. Call with (dict "probe" $probe "path" "/actuator/health/liveness" "port" "http").
*/}}
{{- define "finetune.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
{{- toYaml (omit .probe "enabled") | nindent 0 }}
{{- end -}}

{{/*
The Secret-backed environment shared by the API and the workers. Credentials come only from
existing Secrets through secretKeyRef; the chart never renders a credential value.
*/}}
{{- define "finetune.secretEnv" -}}
- name: SPRING_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "postgresql.auth.existingSecret is required: create a Secret with the database user and password" .Values.postgresql.auth.existingSecret }}
      key: {{ .Values.postgresql.auth.usernameKey }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgresql.auth.existingSecret }}
      key: {{ .Values.postgresql.auth.passwordKey }}
- name: FINETUNE_STORAGE_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ required "storage.auth.existingSecret is required: create a Secret with the S3 access key and secret key" .Values.storage.auth.existingSecret }}
      key: {{ .Values.storage.auth.accessKeyKey }}
- name: FINETUNE_STORAGE_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.auth.existingSecret }}
      key: {{ .Values.storage.auth.secretKeyKey }}
{{- end -}}

{{/* Egress rules every pod needs: DNS, PostgreSQL, object storage, plus networkPolicy.extraEgress. */}}
{{- define "finetune.egressRules" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- ports:
    - port: {{ .Values.postgresql.port }}
      protocol: TCP
  {{- with .Values.postgresql.networkPolicyPeers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
- ports:
    - port: {{ .Values.storage.port }}
      protocol: TCP
  {{- with .Values.storage.networkPolicyPeers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- with .Values.networkPolicy.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Requests and limits of each resourcesPreset (api.resourcesPreset, workers[i].resourcesPreset).
No CPU limits: a limit throttles PyTorch's threads and the API's bursts; memory limits keep a
node's other pods safe. The worker's gpu preset is for cuda pools, which also get their
nvidia.com/gpu limit (workers[i].gpu). Keep these numbers, values.yaml and helm/README.md in step.
*/}}
{{- define "finetune.resourcesPresets" -}}
api:
  small:
    requests: {cpu: 250m, memory: 512Mi}
    limits: {memory: 1Gi}
  medium:
    requests: {cpu: 500m, memory: 1Gi}
    limits: {memory: 2Gi}
worker:
  small:
    requests: {cpu: "2", memory: 8Gi}
    limits: {memory: 8Gi}
  medium:
    requests: {cpu: "4", memory: 16Gi}
    limits: {memory: 16Gi}
  gpu:
    requests: {cpu: "4", memory: 32Gi}
    limits: {memory: 48Gi}
{{- end -}}

{{/*
A container's resources: its explicit resources block when not empty, else its preset's, else none.
Call with (dict "resources" $r "preset" $p "component" "api"|"worker" "what" "api" "root" $).
*/}}
{{- define "finetune.resources" -}}
{{- $preset := default "none" .preset | toString -}}
{{- $presets := index (include "finetune.resourcesPresets" .root | fromYaml) .component -}}
{{- if and (ne $preset "none") (not (hasKey $presets $preset)) -}}
{{- fail (printf "%s.resourcesPreset must be one of none, %s; got %q" .what (keys $presets | sortAlpha | join ", ") $preset) -}}
{{- end -}}
{{- if .resources -}}
{{- toYaml .resources -}}
{{- else if ne $preset "none" -}}
{{- toYaml (index $presets $preset) -}}
{{- end -}}
{{- end -}}
