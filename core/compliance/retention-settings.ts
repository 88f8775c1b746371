/**
 * The org's retention policy: how many days message content is kept, by default and per channel
 * (null = forever). MMS follows the sms window; channels not listed follow the default.
 */
const windowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['days'],
  properties: { days: { type: ['integer', 'null'], minimum: 1, maximum: 36500, description: 'Days message content is kept; null = forever.' } },
} as const;

export const RETENTION_CHANNELS = ['sms', 'email', 'whatsapp', 'chat'] as const;
export type RetentionChannel = (typeof RETENTION_CHANNELS)[number];

/** Archived provider requests (raw_inbound, kept for replay) have their own window, on by default: they hold everything a payload carried. */
export const RAW_INBOUND_DEFAULT_DAYS = 30;

export const retentionSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  default: { default: { days: null }, rawInbound: { days: RAW_INBOUND_DEFAULT_DAYS } },
  description: 'Message content (bodies, subjects, media, provider error text, template variables, Message-IDs) older than the window is destroyed by the retention job; metadata, status and ids stay. Archived provider requests are deleted after their own window. Legal holds suspend both.',
  properties: {
    default: { ...windowSchema, default: { days: null } },
    rawInbound: {
      ...windowSchema,
      default: { days: RAW_INBOUND_DEFAULT_DAYS },
      description: 'Days an archived provider request (kept for replay) is kept, whatever its status; null = until its messages\' content is purged.',
    },
    channels: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(RETENTION_CHANNELS.map((c) => [c, windowSchema])) as Record<RetentionChannel, typeof windowSchema>,
    },
  },
} as const;

export interface RetentionWindow {
  days: number | null;
}

export interface RetentionSettings {
  default: RetentionWindow;
  rawInbound?: RetentionWindow;
  channels?: Partial<Record<RetentionChannel, RetentionWindow>>;
}

/** Days to keep content of a channel's messages, or null to keep it forever. */
export function retentionDays(settings: RetentionSettings, channel: string): number | null {
  const key = (channel === 'mms' ? 'sms' : channel) as RetentionChannel;
  const own = RETENTION_CHANNELS.includes(key) ? settings.channels?.[key] : undefined;
  return own ? own.days : settings.default.days;
}
