{{/* Names, labels and the environment the switch, the console and the Job share. */}}

{{- define "ppu.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ppu.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ppu.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ppu.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The drain deadline plus time for the consumer to leave the group and close its clients. */}}
{{- define "ppu.gracePeriod" -}}
{{- add (int .Values.switch.engine.drainDeadlineSeconds) 30 -}}
{{- end -}}

{{- define "ppu.commonEnv" -}}
- name: PPU_KAFKA_BOOTSTRAP
  value: {{ .Values.kafka.bootstrap | quote }}
- name: PPU_TOPIC_PREFIX
  value: {{ .Values.topicPrefix | quote }}
- name: PPU_CONSUMER_GROUP
  value: {{ .Values.consumerGroup | quote }}
- name: PPU_INPUT_PARTITIONS
  value: {{ .Values.inputPartitions | quote }}
- name: PPU_OUTPUT_PARTITIONS
  value: {{ .Values.outputPartitions | quote }}
- name: PPU_REPLICATION_FACTOR
  value: {{ .Values.replicationFactor | quote }}
- name: PPU_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: PPU_LOG_FORMAT
  value: json
- name: PPU_CONFIG_FILE
  value: /etc/ppu-switch/switch.toml
{{- end -}}

{{- define "ppu.secretEnv" -}}
- secretRef:
    name: {{ required "secrets.name: the Secret with PPU_DATABASE_URL and the passwords" .Values.secrets.name }}
{{- end -}}

{{- define "ppu.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}
