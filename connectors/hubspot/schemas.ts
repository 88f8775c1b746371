import type { FromSchema } from 'json-schema-to-ts';
/** Connection config and secrets of the HubSpot connector. */
/** HubSpot's API hosts: api.hubapi.com and its regional twins (api-eu1.hubapi.com …). */
export const API_BASE_URL_PATTERN = '^https://api(-[a-z0-9]+)?\\.hubapi\\.com/?$';

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    portalId: { type: 'string', title: 'HubSpot account id', pattern: '^[0-9]{1,20}$' },
    apiBaseUrl: { type: 'string', title: 'API base URL', description: 'https://api.hubapi.com or a regional host such as https://api-eu1.hubapi.com.', format: 'uri', pattern: API_BASE_URL_PATTERN, default: 'https://api.hubapi.com' },
  },
} as const;

export const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Either a private-app accessToken, or the OAuth app clientId + clientSecret (then authorize the connection). The clientSecret also verifies webhook signatures.',
  anyOf: [{ required: ['accessToken'] }, { required: ['clientId', 'clientSecret'] }],
  properties: {
    accessToken: { type: 'string', title: 'Private app access token', minLength: 1, writeOnly: true },
    clientId: { type: 'string', title: 'OAuth client id', minLength: 1 },
    clientSecret: { type: 'string', title: 'OAuth client secret', minLength: 1, writeOnly: true },
  },
} as const;

// The types follow the schemas (one source of truth; FromSchema reads them at compile time only).
// Defaulted properties stay optional: a stored config may predate them; the engine fills defaults.
export type HubSpotConfig = FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: true }>;
export type HubSpotSecrets = FromSchema<typeof secretsSchema, { keepDefaultedPropertiesOptional: true }>;
