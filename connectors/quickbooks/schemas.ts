/** Connection config and secrets of the QuickBooks Online connector; the dashboard renders its install form from these. */
export type QuickBooksEnvironment = 'production' | 'sandbox';

export interface QuickBooksConfig {
  /** The company (realm) this connection acts for; Intuit returns it as `realmId` on the OAuth redirect. */
  realmId: string;
  environment?: QuickBooksEnvironment;
  /** The Accounting API minor version sent as ?minorversion= on reads. */
  minorVersion?: number;
}

export interface QuickBooksSecrets {
  clientId: string;
  clientSecret: string;
  webhookVerifierToken?: string;
}

/** The Accounting API host of each environment (https://developer.intuit.com/app/developer/qbo/docs/develop). */
export const apiBase: Record<QuickBooksEnvironment, string> = {
  production: 'https://quickbooks.api.intuit.com',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
};

/** Intuit retired minor versions below 75 (August 2025): 75 is the floor and the default. */
export const DEFAULT_MINOR_VERSION = 75;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['realmId'],
  properties: {
    realmId: {
      type: 'string',
      title: 'Company ID (realm)',
      description: 'The QuickBooks company id (realmId) this connection reads and receives webhooks for.',
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
