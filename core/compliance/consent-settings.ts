/**
 * The org settings sections of the consent and quiet-hours rules (merged into core/org-settings.ts).
 * Keywords an org adds extend the defaults; the defaults can never be removed (CTIA / carriers
 * require STOP, START and HELP to work on every program). Reply texts are the org's to word; the
 * defaults say what carriers expect (HELP: program name, help contact, frequency, rates, STOP).
 */
const keywordList = { type: 'array', maxItems: 20, items: { type: 'string', pattern: '^[A-Za-z0-9\\u00C0-\\uFFFF]{1,20}$' }, default: [] } as const;
const replyText = { type: 'string', minLength: 1, maxLength: 480 } as const;

export const consentSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  default: { keywords: {}, replies: {}, messageFrequency: 'Msg frequency varies' },
  description: 'Opt-out / opt-in / help keywords the org adds to the defaults, and the texts sent back.',
  properties: {
    keywords: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { optOut: keywordList, optIn: keywordList, help: keywordList },
    },
    replies: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Placeholders: {org}, {helpContact}, {frequency}.',
      properties: { optOut: replyText, optIn: replyText, help: replyText },
    },
    helpContact: { type: 'string', maxLength: 200, description: 'Shown in the HELP reply: a phone number, email address or URL.' },
    messageFrequency: { type: 'string', maxLength: 100, default: 'Msg frequency varies' },
  },
} as const;

export interface ConsentSettings {
  keywords: { optOut?: string[]; optIn?: string[]; help?: string[] };
  replies: { optOut?: string; optIn?: string; help?: string };
  helpContact?: string;
  messageFrequency: string;
}

const HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
export const quietHoursSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end'],
  default: { start: '08:00', end: '21:00' },
  description: "Marketing messages leave only between start and end, in the recipient's local time (TCPA: 08:00–21:00).",
  properties: { start: { type: 'string', pattern: HH_MM }, end: { type: 'string', pattern: HH_MM } },
} as const;

export interface QuietHoursSettings {
  start: string;
  end: string;
}

export const hipaaModeSchema = {
  type: 'boolean',
  default: false,
  description: 'HIPAA mode: PHI goes only to BAA-eligible connectors, sync events and WebSocket frames carry ids only, reads of content and PII are audited.',
} as const;

export const orgTimezoneSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  default: 'UTC',
  description: "IANA time zone of the org: the recipient's time zone of last resort for quiet hours.",
} as const;
