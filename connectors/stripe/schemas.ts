/** Connection config and secrets of the Stripe connector; the dashboard renders its install form from these. */
export interface StripeConfig {
  /** Connect: act on a connected account (Stripe-Account header). */
  accountId?: string;
}

export interface StripeSecrets {
  secretKey: string;
  webhookSecret?: string;
}

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
