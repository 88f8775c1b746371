import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the built-in web chat; the dashboard renders its install form from these. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['allowedOrigins'],
  properties: {
    allowedOrigins: {
      type: 'array',
      title: 'Allowed origins',
      description:
        'Origins of the pages that embed the widget, e.g. https://app.example.com or http://localhost:3000. ' +
        'https://*.example.com allows every subdomain of example.com.',
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: { type: 'string', pattern: '^https?://(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$' },
    },
    requireUserHash: {
      type: 'boolean',
      title: 'Require identity verification',
      description:
        'When on, a widget session that names a userId must carry userHash = hex HMAC-SHA256(identity secret, userId), ' +
        'computed by your server; without it anyone could open the conversation of any user id.',
      default: false,
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identitySecret'],
  properties: {
    identitySecret: {
      type: 'string',
      title: 'Identity secret',
      description: 'Shared with your server only: it signs user ids (userHash). Never put it in a page.',
      minLength: 32,
      writeOnly: true,
    },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type WebchatConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type WebchatSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
