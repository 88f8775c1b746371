import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the Twilio connector; the dashboard renders its install form from these. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['accountSid'],
  properties: {
    accountSid: { type: 'string', title: 'Account SID', pattern: '^AC[0-9a-fA-F]{32}$' },
    messagingServiceSid: {
      type: 'string',
      title: 'Messaging Service SID',
      description: 'Sends without an explicit sender go through this service (sender pool, 10DLC campaign).',
      pattern: '^MG[0-9a-fA-F]{32}$',
    },
    fromNumbers: {
      type: 'array',
      title: 'Sender numbers',
      description: 'E.164 numbers (or whatsapp:+E.164 senders) this connection sends from; the first is the default.',
      uniqueItems: true,
      items: { type: 'string', pattern: '^(whatsapp:)?\\+[1-9][0-9]{1,14}$' },
    },
    publicBaseUrl: {
      type: 'string',
      title: 'Public base URL',
      description:
        'The origin Twilio calls (e.g. https://sms.example.com) when Switchboard sits behind a proxy: signatures are computed over the public URL.',
      format: 'uri',
      pattern: '^https?://',
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['authToken'],
  properties: {
    authToken: { type: 'string', title: 'Auth Token', minLength: 1, writeOnly: true },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type TwilioConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type TwilioSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
