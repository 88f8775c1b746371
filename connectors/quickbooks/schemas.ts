import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the QuickBooks Online connector; the dashboard renders its install form from these. */
export type QuickBooksEnvironment = 'production' | 'sandbox';

/** Intuit retired minor versions below 75 (August 2025): 75 is the floor and the default. */
export const DEFAULT_MINOR_VERSION = 75;

/** The entities the connector turns into events (webhooks and CDC alike); their REST resource names are lowercase. */
export const ENTITIES = ['Customer', 'Invoice', 'Payment'] as const;
export type QuickBooksEntity = (typeof ENTITIES)[number];

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    realmId: {
      type: 'string',
      title: 'Company ID (realm)',
      description: 'The QuickBooks company id (realmId) this connection reads and receives webhooks for. Saved from Intuit\'s OAuth redirect when the company is connected; set it by hand only to correct it.',
      pattern: '^[0-9]{1,32}$',
    },
    environment: {
      type: 'string',
      title: 'Environment',
      enum: ['production', 'sandbox'],
      default: 'production',
      description: 'sandbox: a developer sandbox company (sandbox-quickbooks.api.intuit.com).',
    },
    minorVersion: {
      type: 'integer',
      title: 'API minor version',
      minimum: DEFAULT_MINOR_VERSION,
      default: DEFAULT_MINOR_VERSION,
    },
    startFrom: {
      type: 'string',
      title: 'Start from',
      format: 'date-time',
      description: 'Changes since this time are read on the first poll (default: one day before it). Intuit keeps 30 days of changes.',
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'clientSecret'],
  properties: {
    clientId: { type: 'string', title: 'Client ID', minLength: 1, description: 'The OAuth 2.0 Client ID of your Intuit app (Keys & credentials).' },
    clientSecret: { type: 'string', title: 'Client secret', minLength: 1 },
    webhookVerifierToken: {
      type: 'string',
      title: 'Webhook verifier token',
      minLength: 1,
      description: 'The verifier token of the app\'s webhook endpoint (Developer portal → Webhooks → Show token); signs intuit-signature.',
    },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type QuickBooksConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type QuickBooksSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
