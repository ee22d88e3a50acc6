{{/*
"repository:tag" of one image of .Values.images; fails naming the key when it is missing.
Usage: include "mooring.image" (list . "csiNode")
*/}}
{{- define "mooring.image" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $image := index $root.Values.images $key | required (printf "images.%s is not set" $key) -}}
{{- printf "%s:%s" ($image.repository | required (printf "images.%s.repository is not set" $key)) ($image.tag | toString | required (printf "images.%s.tag is not set" $key)) -}}
{{- end -}}
