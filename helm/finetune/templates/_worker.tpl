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
{{- $_ := set $w "device" $device -}}
{{- $_ := set $w "gpu" $gpu -}}
{{- $_ := set $w "resolvedImage" (mergeOverwrite (deepCopy (index .root.Values.workerDefaults.image $device)) (default (dict) .worker.image)) -}}
{{- $res := deepCopy (default (dict) $w.resources) -}}
{{- if gt $gpu 0 -}}
{{- $limits := deepCopy (default (dict) $res.limits) -}}
{{- $_ := set $limits "nvidia.com/gpu" $gpu -}}
{{- $_ := set $res "limits" $limits -}}
{{- end -}}
{{- $_ := set $w "resources" $res -}}
{{- toYaml $w -}}
{{- end -}}
