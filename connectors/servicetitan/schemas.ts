import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the ServiceTitan connector (an app registered in the ServiceTitan developer portal). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tenantId'],
  properties: {
    tenantId: { type: 'string', title: 'Tenant ID', pattern: '^[0-9]+$' },
    environment: { type: 'string', title: 'Environment', enum: ['production', 'integration'], default: 'production' },
    startFrom: { type: 'string', title: 'Start from', description: 'Changes since this time are read on the first poll.', format: 'date-time' },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'clientSecret', 'appKey'],
  properties: {
    clientId: { type: 'string', title: 'Client ID', minLength: 1 },
    clientSecret: { type: 'string', title: 'Client secret', minLength: 1 },
    appKey: { type: 'string', title: 'App key', description: 'Sent as the ST-App-Key header.', minLength: 1 },
  },
} as const;

export const hosts = {
  production: { api: 'https://api.servicetitan.io', auth: 'https://auth.servicetitan.io/connect/token' },
  integration: { api: 'https://api-integration.servicetitan.io', auth: 'https://auth-integration.servicetitan.io/connect/token' },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type ServiceTitanConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type ServiceTitanSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
