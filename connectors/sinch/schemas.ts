import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the Sinch SMS connector; the dashboard renders its install form from these. */
export const SINCH_REGIONS = ['us', 'eu', 'au', 'br', 'ca'] as const;
export type SinchRegion = (typeof SINCH_REGIONS)[number];

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['servicePlanId', 'region'],
  properties: {
    servicePlanId: { type: 'string', title: 'Service plan ID', description: 'Dashboard › SMS › APIs › REST.', pattern: '^[A-Za-z0-9]{16,64}$' },
    region: { type: 'string', title: 'Region', description: 'Where the service plan lives: its API host is {region}.sms.api.sinch.com.', enum: [...SINCH_REGIONS] },
    fromNumbers: {
      type: 'array',
      title: 'Sender numbers',
      description: 'E.164 numbers or short codes this connection sends from; the first is the default (else the service plan\'s default originator).',
      uniqueItems: true,
      items: { type: 'string', pattern: '^(\\+[1-9][0-9]{6,14}|[0-9]{3,8})$' },
    },
    callbackUsername: { type: 'string', title: 'Callback user name', description: 'When Sinch calls back with basic authentication.', minLength: 1 },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiToken'],
  // Callbacks must be authenticated one way or the other: Sinch SMS does not sign them by default.
  anyOf: [{ required: ['webhookSecret'] }, { required: ['callbackPassword'] }],
  properties: {
    apiToken: { type: 'string', title: 'API token', minLength: 1, writeOnly: true },
    webhookSecret: {
      type: 'string',
      title: 'Callback signing secret',
      description: 'HMAC secret of signed callbacks (x-sinch-webhook-signature), set up by your Sinch account manager.',
      minLength: 8,
      writeOnly: true,
    },
    callbackPassword: {
      type: 'string',
      title: 'Callback password',
      description: 'Password of basic-authenticated callbacks (the callback URL carries user:password).',
      minLength: 8,
      writeOnly: true,
    },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type SinchConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type SinchSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
