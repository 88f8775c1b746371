import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the Meta WhatsApp Cloud API connector; the dashboard renders its install form from these. */
/**
 * Graph API versions live about two years; v24.0 (October 2025) is the newest this connector was
 * checked against. A connection can pin another with graphApiVersion.
 */
export const DEFAULT_GRAPH_API_VERSION = 'v24.0';
export const DEFAULT_TEMPLATE_LANGUAGE = 'en_US';
export const GRAPH_ORIGIN = 'https://graph.facebook.com';

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phoneNumberId', 'verifyToken'],
  properties: {
    phoneNumberId: {
      type: 'string',
      title: 'Phone number ID',
      description: 'The business phone number ID from WhatsApp Manager (not the phone number itself).',
      pattern: '^[0-9]{1,32}$',
    },
    wabaId: { type: 'string', title: 'WhatsApp Business Account ID', pattern: '^[0-9]{1,32}$' },
    graphApiVersion: {
      type: 'string',
      title: 'Graph API version',
      description: `Defaults to ${DEFAULT_GRAPH_API_VERSION}.`,
      pattern: '^v[0-9]{1,3}\\.[0-9]{1,2}$',
    },
    verifyToken: {
      type: 'string',
      title: 'Verify token',
      description: 'Any string you choose; enter the same one as the webhook "Verify token" in the Meta app dashboard.',
      minLength: 8,
      maxLength: 256,
    },
    templateLanguage: {
      type: 'string',
      title: 'Template language',
      description: `Language code of templates sent without one (e.g. en_US, pt_BR). Defaults to ${DEFAULT_TEMPLATE_LANGUAGE}.`,
      pattern: '^[a-z]{2,3}(_[A-Z]{2})?$',
    },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['accessToken', 'appSecret'],
  properties: {
    accessToken: {
      type: 'string',
      title: 'Access token',
      description: 'A System User access token with the whatsapp_business_messaging permission.',
      minLength: 1,
      writeOnly: true,
    },
    appSecret: { type: 'string', title: 'App secret', description: 'Signs webhooks (X-Hub-Signature-256).', minLength: 1, writeOnly: true },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type WhatsAppConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type WhatsAppSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
