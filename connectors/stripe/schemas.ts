import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the Stripe connector; the dashboard renders its install form from these. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    accountId: {
      type: 'string',
      title: 'Connected account',
      description: 'Stripe Connect platforms: the connected account (acct_…) this connection acts for.',
      pattern: '^acct_[A-Za-z0-9]+$',
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['secretKey'],
  properties: {
    secretKey: {
      type: 'string',
      title: 'Secret key',
      description: 'A secret (sk_…) or restricted (rk_…) key with write access to Payment Links.',
      pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]+$',
    },
    webhookSecret: {
      type: 'string',
      title: 'Webhook signing secret',
      description: 'The endpoint secret (whsec_…) of the webhook endpoint pointing at this connection.',
      pattern: '^whsec_[A-Za-z0-9+/=]+$',
    },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type StripeConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type StripeSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
