import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the SendGrid connector; the dashboard renders its install form from these. */
const email = { type: 'string', format: 'email', maxLength: 254 } as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fromAddress'],
  properties: {
    fromAddress: { ...email, title: 'Sender address', description: 'A verified sender (or an address on an authenticated domain); used when a message names no sender.' },
    fromName: { type: 'string', title: 'Sender name', maxLength: 100 },
    messageIdDomain: {
      type: 'string',
      title: 'Message-ID domain',
      description: 'Domain of the Message-ID given to outbound mail (default: the sender address\'s domain).',
      pattern: '^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
    },
    defaultSubject: { type: 'string', title: 'Default subject', description: 'Subject of a message that has none (e.g. a conversation that started by SMS).', minLength: 1, maxLength: 200 },
    region: { type: 'string', title: 'Data residency', enum: ['global', 'eu'], default: 'global' },
    inboundHostname: {
      type: 'string',
      title: 'Inbound Parse host',
      description: 'The (sub)domain whose mail comes in through Inbound Parse, e.g. parse.example.com; its MX record must point at mx.sendgrid.net.',
      pattern: '^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
    },
    eventWebhookPublicKey: {
      type: 'string',
      title: 'Event Webhook verification key',
      description: 'Settings › Mail Settings › Event Webhook › Signed Event Webhook: the public key (base64). Without it, Event Webhook requests are refused.',
      pattern: '^[A-Za-z0-9+/]{40,}={0,2}$',
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: {
    apiKey: { type: 'string', title: 'API key', description: 'A key with the mail.send scope.', pattern: '^SG\\.', writeOnly: true },
    inboundSecret: {
      type: 'string',
      title: 'Inbound Parse secret',
      description: 'Add it to the Inbound Parse URL as ?secret=… (or as the basic-auth password): Inbound Parse requests are not signed.',
      minLength: 16,
      writeOnly: true,
    },
    eventWebhookSigningKey: {
      type: 'string',
      title: 'Event Webhook signing key (sandbox only)',
      description: 'A P-256 private key (PKCS#8, base64 DER or PEM) whose public half is the verification key; only sandbox connections need it, to sign the events they simulate.',
      writeOnly: true,
    },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type SendGridConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type SendGridSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
