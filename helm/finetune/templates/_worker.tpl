{{/*
One worker pool's effective settings: the pool's entry over workerDefaults.
Returns YAML; callers use (include "finetune.worker" (dict "root" $ "worker" $w) | fromYaml).
*/}}
{{- define "finetune.worker" -}}
{{- $w := mergeOverwrite (deepCopy .root.Values.workerDefaults) (deepCopy .worker) -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" (toString $w.name)) -}}
{{- fail (printf "workers[].name %q must be a DNS label (lower-case letters, digits, '-')" (toString $w.name)) -}}
{{- end -}}
{{- $device := default "cpu" $w.device -}}
{{- if not (has $device (list "cpu" "cuda")) -}}
{{- fail (printf "workers[%s].device must be cpu or cuda, got %q" $w.name $device) -}}
{{- end -}}
{{- $gpu := int (default 0 $w.gpu) -}}
{{- if and (eq $device "cuda") (lt $gpu 1) }}{{ $gpu = 1 }}{{ end -}}
{{- if and (eq $device "cpu") (gt $gpu 0) -}}
{{- fail (printf "workers[%s] asks for %d GPU(s) but device is cpu; set device: cuda" $w.name $gpu) -}}
{{- end -}}
{{- /*
One value sets both ends of a graceful stop: the pod's terminationGracePeriodSeconds (SIGTERM to
SIGKILL) and the worker's finetune.worker.shutdown-timeout = the grace period - 30 s. The 30 s
are for what follows the timeout: Spring closes the context, the JVM exits. The schema asks for
a grace period of 60 s or more; this check holds where the schema is skipped.
*/ -}}
{{- $grace := 300 -}}
{{- if and (hasKey $w "terminationGracePeriodSeconds") (not (kindIs "invalid" $w.terminationGracePeriodSeconds)) }}{{ $grace = int $w.terminationGracePeriodSeconds }}{{ end -}}
{{- $margin := 30 -}}
{{- $timeout := sub $grace $margin | int -}}
{{- if lt $timeout 30 -}}
{{- fail (printf "workers[%s].terminationGracePeriodSeconds is %d: it must be at least 60 (the worker's shutdown timeout is the grace period minus %d s and must be 30 s or more)" $w.name $grace $margin) -}}
{{- end -}}
{{- range $env := (default (list) $w.extraEnvVars) -}}
{{- if has (toString $env.name) (list "FINETUNE_WORKER_SHUTDOWN_TIMEOUT" "FINETUNE_WORKER_SHUTDOWNTIMEOUT" "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE") -}}
{{- fail (printf "workers[%s].extraEnvVars sets %s: set workers[%s].terminationGracePeriodSeconds instead, which sets the pod's grace period and the worker's shutdown timeout together" $w.name $env.name $w.name) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $w "terminationGracePeriodSeconds" $grace -}}
{{- $_ := set $w "shutdownTimeout" (printf "%ds" $timeout) -}}
{{- $_ := set $w "device" $device -}}
{{- $_ := set $w "gpu" $gpu -}}
{{- $_ := set $w "resolvedImage" (mergeOverwrite (deepCopy (index .root.Values.workerDefaults.image $device)) (default (dict) .worker.image)) -}}
{{- $preset := default "none" $w.resourcesPreset | toString -}}
{{- if and (eq $preset "gpu") (ne $device "cuda") -}}
{{- fail (printf "workers[%s].resourcesPreset is gpu but device is %s; set device: cuda" $w.name $device) -}}
{{- end -}}
{{- $res := include "finetune.resources" (dict "resources" $w.resources "preset" $preset "component" "worker" "what" (printf "workers[%s]" $w.name) "root" .root) | fromYaml | default (dict) -}}
{{- if gt $gpu 0 -}}
{{- $limits := deepCopy (default (dict) $res.limits) -}}
{{- $_ := set $limits "nvidia.com/gpu" $gpu -}}
{{- $_ := set $res "limits" $limits -}}
{{- end -}}
{{- $_ := set $w "resources" $res -}}
{{- toYaml $w -}}
{{- end -}}

