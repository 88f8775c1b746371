import { Ajv } from 'ajv';
import type { Knex } from 'knex';
import { AppError } from './errors.ts';
import { retentionSettingsSchema, type RetentionSettings } from './compliance/retention-settings.ts';
import { safeModeSettingsSchema, safeRegexKeyword, type SafeModeSettings } from './compliance/redaction-patterns.ts';
import { businessHoursSettingsSchema } from '../rules/settings.ts';
import {
  consentSettingsSchema,
  hipaaModeSchema,
  orgTimezoneSchema,
  quietHoursSettingsSchema,
  type ConsentSettings,
  type QuietHoursSettings,
} from './compliance/consent-settings.ts';
import { sessionMaxMinutesSchema } from './users/session-settings.ts';
import { brandingSchema } from './platforms/branding.ts';

/**
 * Org settings: one JSON Schema with defaults, validated on every change. Each feature adds its
 * own top-level section here (compliance: quietHours, retention, safeMode, hipaaMode …), and
 * reads it through orgSettings() so a missing key always means the documented default.
 */
export const orgSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reopenWindowHours: {
      type: 'number',
      minimum: 0,
      maximum: 8760,
      default: 168,
      description: 'An inbound message joins the open conversation of its contact, channel and address if that saw a message within this many hours; else a new conversation starts.',
    },
    retention: retentionSettingsSchema,
    safeMode: safeModeSettingsSchema,
    consent: consentSettingsSchema,
    quietHours: quietHoursSettingsSchema,
    hipaaMode: hipaaModeSchema,
    timezone: orgTimezoneSchema,
    sessionMaxMinutes: sessionMaxMinutesSchema,
    businessHours: businessHoursSettingsSchema,
    branding: brandingSchema,
  },
} as const;

export interface OrgSettings {
  reopenWindowHours: number;
  retention: RetentionSettings;
  safeMode: SafeModeSettings;
  consent: ConsentSettings;
  quietHours: QuietHoursSettings;
  hipaaMode: boolean;
  timezone: string;
  sessionMaxMinutes: number;
  [section: string]: unknown;
}

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
ajv.addKeyword(safeRegexKeyword);
const validate = ajv.compile(orgSettingsSchema);

/** Stored settings + defaults. A stored value that no longer validates falls back to its default. */
export function withDefaults(stored: Record<string, unknown> | null | undefined): OrgSettings {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(orgSettingsSchema.properties)) {
    const candidate = { [key]: structuredClone((stored ?? {})[key]) };
    if ((stored ?? {})[key] !== undefined && validate(candidate)) out[key] = candidate[key];
    else out[key] = structuredClone((prop as { default: unknown }).default);
  }
  return out as OrgSettings;
}

export async function orgSettings(trx: Knex, orgId: string): Promise<OrgSettings> {
  const row = await trx('orgs').select('settings').where({ id: orgId }).first();
  return withDefaults(row?.settings);
}

/** Merges a partial change (null resets a key to its default) and validates the result. */
export function mergeSettings(stored: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...stored };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  const probe = structuredClone(next);
  if (!validate(probe)) {
    const details = (validate.errors ?? []).map((e) => ({
      field: `/settings${e.instancePath}${e.keyword === 'additionalProperties' ? `/${(e.params as any).additionalProperty}` : ''}`,
      reason: e.keyword === 'additionalProperties' ? 'is not a known setting' : (e.message ?? 'is invalid'),
    }));
    throw new AppError('validation_failed', `Invalid settings: ${details[0]?.field} ${details[0]?.reason}.`, { details });
  }
  return next;
}
