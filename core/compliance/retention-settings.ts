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

export const retentionSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  default: { default: { days: null } },
  description: 'Message content (bodies, subjects, media, provider error text) older than the window is destroyed by the retention job; metadata, status and ids stay. Legal holds suspend it.',
  properties: {
    default: { ...windowSchema, default: { days: null } },
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
  channels?: Partial<Record<RetentionChannel, RetentionWindow>>;
}

/** Days to keep content of a channel's messages, or null to keep it forever. */
export function retentionDays(settings: RetentionSettings, channel: string): number | null {
  const key = (channel === 'mms' ? 'sms' : channel) as RetentionChannel;
  const own = RETENTION_CHANNELS.includes(key) ? settings.channels?.[key] : undefined;
  return own ? own.days : settings.default.days;
}
