{{- define "switchboard.labels" -}}
app.kubernetes.io/name: switchboard
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.appVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "switchboard.secretName" -}}
{{- if .Values.existingSecret }}{{ .Values.existingSecret }}{{ else }}{{ include "switchboard.fullSecretName" . }}{{ end }}
{{- end }}

{{- define "switchboard.fullSecretName" -}}
{{ .Release.Name }}-secrets
{{- end }}

{{- /* The environment every process gets: one PUBLIC_URL for all (providers call it and signatures
       are checked against it), and the in-cluster API address for calls a worker makes to the API
       itself (sandbox status callbacks), which inside a worker pod is not localhost. */ -}}
{{- define "switchboard.env" -}}
- name: NODE_ENV
  value: production
- name: PUBLIC_URL
  value: {{ .Values.publicUrl | quote }}
- name: INTERNAL_API_URL
  value: "http://{{ .Release.Name }}-api:3000"
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: REDIS_PREFIX
  value: {{ .Values.redisPrefix | quote }}
- name: SWITCHBOARD_MASTER_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: SWITCHBOARD_MASTER_KEY
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
{{- if .Values.postgres.cloudnativepg.enabled }}
      name: {{ .Release.Name }}-pg-app
      key: uri
{{- else }}
      name: {{ include "switchboard.secretName" . }}
      key: DATABASE_URL
{{- end }}
- name: REDIS_URL
{{- if .Values.redis.bundled.enabled }}
  value: "redis://{{ .Release.Name }}-redis:6379"
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: REDIS_URL
{{- end }}
{{- end }}
