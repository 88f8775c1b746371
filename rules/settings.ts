import { addSettingsSection } from '../core/org-settings.ts';
import { quietHoursSettingsSchema, type QuietHoursSettings } from '../core/compliance/consent-settings.ts';

/**
 * The org setting the rules add (section "businessHours" of core/org-settings.ts, read by
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

addSettingsSection('businessHours', businessHoursSettingsSchema);

export interface BusinessHours {
  days: string[];
  start: string;
  end: string;
}

export interface RulesSettings {
  timezone: string;
  businessHours: BusinessHours;
  /** The allowed sending window (compliance); quiet hours are the rest of the day. */
  sendingWindow: QuietHoursSettings;
}

export function rulesSettings(s: Record<string, unknown>): RulesSettings {
  return {
    timezone: typeof s.timezone === 'string' ? s.timezone : 'UTC',
    businessHours: (s.businessHours as BusinessHours | undefined) ?? businessHoursSettingsSchema.default as unknown as BusinessHours,
    sendingWindow: (s.quietHours as QuietHoursSettings | undefined) ?? quietHoursSettingsSchema.default,
  };
}
