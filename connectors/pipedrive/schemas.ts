import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the Pipedrive connector. */
/** Pipedrive answers on api.pipedrive.com and on each company's own https://<company>.pipedrive.com (the OAuth token's api_domain): nothing else. */
export const API_DOMAIN_PATTERN = '^https://[A-Za-z0-9-]+\\.pipedrive\\.com/?$';

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiDomain: { type: 'string', title: 'API domain', description: 'https://api.pipedrive.com or your company domain https://<company>.pipedrive.com.', format: 'uri', pattern: API_DOMAIN_PATTERN, default: 'https://api.pipedrive.com' },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Either an apiToken, or the OAuth app clientId + clientSecret (then authorize the connection). webhookUsername / webhookPassword protect the webhook URL.',
  anyOf: [{ required: ['apiToken'] }, { required: ['clientId', 'clientSecret'] }],
  dependentRequired: { webhookUsername: ['webhookPassword'], webhookPassword: ['webhookUsername'] },
  properties: {
    apiToken: { type: 'string', title: 'API token', minLength: 1, writeOnly: true },
    clientId: { type: 'string', title: 'OAuth client id', minLength: 1 },
    clientSecret: { type: 'string', title: 'OAuth client secret', minLength: 1, writeOnly: true },
    webhookUsername: { type: 'string', title: 'Webhook basic-auth user', minLength: 1 },
    webhookPassword: { type: 'string', title: 'Webhook basic-auth password', minLength: 12, writeOnly: true },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type PipedriveConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type PipedriveSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
