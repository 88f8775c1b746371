import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the AppFolio connector; the dashboard renders its install form from these. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['database'],
  properties: {
    database: {
      type: 'string',
      title: 'AppFolio database',
      description: 'The subdomain of your AppFolio Property Manager: "acme" for https://acme.appfolio.com.',
      pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
    },
    defaultCountry: {
      type: 'string',
      title: 'Default country',
      description: 'ISO country of phone numbers written without a country code in AppFolio (default US).',
      pattern: '^[A-Z]{2}$',
      default: 'US',
    },
    workOrderLookbackDays: {
      type: 'integer',
      title: 'Work order window (days)',
      description: 'Work orders created within this many days are watched for status changes (default 90).',
      minimum: 1,
      maximum: 730,
      default: 90,
    },
    directoryIntervalHours: {
      type: 'integer',
      title: 'Directory sync interval (hours)',
      description: 'How often the tenant, owner and vendor directories are read again (default 24).',
      minimum: 1,
      maximum: 168,
      default: 24,
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'clientSecret'],
  properties: {
    clientId: { type: 'string', title: 'Reports API client ID', description: 'General Settings → Manage API Settings → Reports API Credentials.', minLength: 1 },
    clientSecret: { type: 'string', title: 'Reports API client secret', minLength: 1 },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type AppFolioConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type AppFolioSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
