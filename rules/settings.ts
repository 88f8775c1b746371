/**
 * The org setting the rules add (core/org-settings.ts "businessHours", read by
 * within_business_hours in the org's `timezone`). Quiet hours are compliance's setting
 * (`quietHours`: the window in which marketing may leave); in_quiet_hours is outside it.
 */
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;

export const businessHoursSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  default: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  description: "The org's business hours in its timezone (the rules' within_business_hours operator).",
  required: ['days', 'start', 'end'],
  properties: {
    days: { type: 'array', uniqueItems: true, items: { enum: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] } },
    start: hhmm,
    end: hhmm,
  },
} as const;

export interface BusinessHours {
  days: string[];
  start: string;
  end: string;
}

export interface RulesSettings {
  timezone: string;
  businessHours: BusinessHours;
  /** The allowed sending window (compliance); quiet hours are the rest of the day. */
  sendingWindow: { start: string; end: string };
}

export function rulesSettings(s: Record<string, unknown>): RulesSettings {
  return {
    timezone: typeof s.timezone === 'string' ? s.timezone : 'UTC',
    businessHours: (s.businessHours as BusinessHours | undefined) ?? businessHoursSettingsSchema.default as unknown as BusinessHours,
    sendingWindow: (s.quietHours as { start: string; end: string } | undefined) ?? { start: '08:00', end: '21:00' },
  };
}
