import type { Knex } from 'knex';
import { AppError } from '../errors.ts';

/**
 * White-label branding: the org's own (settings.branding) over its platform's default
 * (platforms.branding). What the widget, the UI kit, the dashboard, consent replies ({org}) and
 * outgoing email's From name and domain (emailFromName, emailFromDomain: core/send/plan.ts) show. The display name falls back to the org's name, never to the platform's:
 * a tenant texting STOP knows the org, not the software vendor behind it.
 */
const HEX = { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' } as const;
const URL = { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 2048 } as const;

export const brandingSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'White-label branding (display name, logo, colours, support contact, email From name and domain); unset keys fall back to the platform default.',
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 100 },
    logoUrl: URL,
    colors: {
      type: 'object',
      additionalProperties: false,
      properties: { primary: HEX, accent: HEX, background: HEX, text: HEX },
    },
    supportEmail: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 254 },
    supportPhone: { type: 'string', pattern: '^\\+?[0-9 ()-]{3,32}$' },
    supportUrl: URL,
    emailFromName: { type: 'string', minLength: 1, maxLength: 100 },
    emailFromDomain: { type: 'string', pattern: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$', maxLength: 253 },
  },
} as const;

export interface Branding {
  displayName: string;
  logoUrl: string | null;
  colors: { primary: string | null; accent: string | null; background: string | null; text: string | null };
  supportEmail: string | null;
  supportPhone: string | null;
  supportUrl: string | null;
  emailFromName: string;
  emailFromDomain: string | null;
}

type Partial = Record<string, any>;

/** The effective branding: org keys over platform keys over built-in defaults. */
export function mergeBranding(orgName: string, org: Partial | null | undefined, platform: Partial | null | undefined): Branding {
  const o = org ?? {};
  const p = platform ?? {};
  const pick = (k: string): string | null => o[k] ?? p[k] ?? null;
  const color = (k: string): string | null => o.colors?.[k] ?? p.colors?.[k] ?? null;
  const displayName = o.displayName ?? orgName;
  return {
    displayName,
    logoUrl: pick('logoUrl'),
    colors: { primary: color('primary'), accent: color('accent'), background: color('background'), text: color('text') },
    supportEmail: pick('supportEmail'),
    supportPhone: pick('supportPhone'),
    supportUrl: pick('supportUrl'),
    emailFromName: o.emailFromName ?? p.emailFromName ?? displayName,
    emailFromDomain: pick('emailFromDomain'),
  };
}

/** Inside the org's transaction: the org may read its own platform's row (RLS policy org_reads_its_platform). */
export async function effectiveBranding(trx: Knex, orgId: string): Promise<Branding> {
  const org = await trx('orgs').select('name', 'settings', 'platform_id').where({ id: orgId }).first();
  const platform = org?.platform_id ? await trx('platforms').select('branding').where({ id: org.platform_id }).first() : null;
  return mergeBranding(org?.name ?? 'Switchboard', org?.settings?.branding, platform?.branding);
}

/** The response schema of an effective branding (OpenAPI). */
export const brandingViewSchema = {
  type: 'object',
  properties: {
    displayName: { type: 'string' },
    logoUrl: { type: ['string', 'null'] },
    colors: {
      type: 'object',
      properties: { primary: { type: ['string', 'null'] }, accent: { type: ['string', 'null'] }, background: { type: ['string', 'null'] }, text: { type: ['string', 'null'] } },
    },
    supportEmail: { type: ['string', 'null'] },
    supportPhone: { type: ['string', 'null'] },
    supportUrl: { type: ['string', 'null'] },
    emailFromName: { type: 'string' },
    emailFromDomain: { type: ['string', 'null'] },
  },
} as const;

/** Public surfaces of a suspended org (the widget) answer like its API keys do. */
export async function refuseSuspended(tx: { trx: Knex; orgId: string }): Promise<void> {
  const row = await tx.trx('orgs').select('suspended_at').where({ id: tx.orgId }).first();
  if (row?.suspended_at) throw new AppError('org_suspended', 'This org is suspended; the chat is not available.');
}
