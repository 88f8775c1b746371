import type { ValidateFunction } from 'ajv';
import { createAjv } from '../connectors/kit/ajv.ts';
import type { Knex } from 'knex';
import { AppError } from './errors.ts';
import { retentionSettingsSchema, type RetentionSettings } from './compliance/retention-settings.ts';
import { safeModeSettingsSchema, safeRegexKeyword, type SafeModeSettings } from './compliance/redaction-patterns.ts';
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
 * Org settings: one JSON Schema with defaults, validated on every change. Each core feature has
 * its own top-level section here (compliance: quietHours, retention, safeMode, hipaaMode …), and
 * reads it through orgSettings() so a missing key always means the documented default. Features
 * above core (rules: businessHours, AI: ai) add theirs with addSettingsSection when their settings
 * module loads; app/settings-sections.ts loads them all in every process.
 */
const sections: Record<string, object> = {
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
  branding: brandingSchema,
};

export const orgSettingsSchema = { type: 'object', additionalProperties: false, properties: sections };

/** Adds a feature's section (its JSON Schema, with a `default`). The same schema twice is a no-op. */
export function addSettingsSection(name: string, schema: object & { default: unknown }): void {
  if (sections[name] === schema) return;
  if (name in sections) throw new Error(`Two org settings sections are named "${name}".`);
  sections[name] = schema;
  compiled = undefined;
}

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

const ajv = createAjv({ useDefaults: true });
ajv.addKeyword(safeRegexKeyword);
let compiled: ValidateFunction | undefined;
// A new object each time: ajv caches by schema identity, and sections may have been added since.
const validate = (value: unknown): boolean => (compiled ??= ajv.compile({ ...orgSettingsSchema, properties: { ...sections } }))(value);
const validationErrors = () => compiled?.errors ?? [];

/** Stored settings + defaults. A stored value that no longer validates falls back to its default. */
export function withDefaults(stored: Record<string, unknown> | null | undefined): OrgSettings {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(sections)) {
    const candidate = { [key]: structuredClone((stored ?? {})[key]) };
    if ((stored ?? {})[key] !== undefined && validate(candidate)) out[key] = candidate[key];
    else out[key] = structuredClone((prop as { default: unknown }).default);
  }
  return out as OrgSettings;
}

/**
 * An org's settings as the given transaction sees them. Read once per transaction (one inbound
 * message consults them from archive, compliance, threading and redaction): later calls in the
 * same transaction reuse the first read, and writing the settings in it (noteOrgSettings) replaces
 * what it remembers. Nothing is kept across transactions, so a change is seen by the next one.
 * Savepoints share their top-level transaction's memory (settings are not written inside one).
 */
const perTransaction = new WeakMap<object, Map<string, Promise<OrgSettings>>>();

function remembered(trx: Knex): Map<string, Promise<OrgSettings>> {
  let top = trx as Knex & { parentTransaction?: Knex };
  while (top.parentTransaction) top = top.parentTransaction as typeof top;
  let seen = perTransaction.get(top);
  if (!seen) perTransaction.set(top, (seen = new Map()));
  return seen;
}

export function orgSettings(trx: Knex, orgId: string): Promise<OrgSettings> {
  const seen = remembered(trx);
  let settings = seen.get(orgId);
  if (!settings) {
    settings = Promise.resolve(trx('orgs').select('settings').where({ id: orgId }).first()).then((row: { settings?: Record<string, unknown> } | undefined) => withDefaults(row?.settings));
    // A failed read is not remembered: the caller sees the error, and the transaction is over anyway.
    settings.catch(() => seen.delete(orgId));
    seen.set(orgId, settings);
  }
  return settings.then((s) => structuredClone(s));
}

/** The org's stored settings were read or written in this transaction: later orgSettings() calls in it use them. */
export function noteOrgSettings(trx: Knex, orgId: string, stored: Record<string, unknown> | null | undefined): void {
  remembered(trx).set(orgId, Promise.resolve(withDefaults(stored)));
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
    const details = validationErrors().map((e) => ({
      field: `/settings${e.instancePath}${e.keyword === 'additionalProperties' ? `/${(e.params as any).additionalProperty}` : ''}`,
      reason: e.keyword === 'additionalProperties' ? 'is not a known setting' : (e.message ?? 'is invalid'),
    }));
    throw new AppError('validation_failed', `Invalid settings: ${details[0]?.field} ${details[0]?.reason}.`, { details });
  }
  return next;
}
