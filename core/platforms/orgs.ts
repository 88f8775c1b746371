import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { withPlatform, withTenantRaw } from '../db/tenant.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { createOrg, forgetPrincipals } from '../orgs.ts';
import { deleteOrg } from '../admin.ts';
import { mergeSettings, noteOrgSettings } from '../org-settings.ts';
import { notFound } from '../errors.ts';
import { recordAudit } from '../audit/record.ts';
import { recordPlatformAudit, type PlatformCaller } from './audit.ts';

/**
 * A platform's orgs. Every statement runs with the platform setting (and, for one org, the org
 * setting too), so the database itself hides the orgs of other platforms: a wrong id is a 404
 * because the row is invisible, not because route code compared ids.
 */
export interface Deps {
  db: Database;
  keyring: Keyring;
}

export interface MonthlyLimit {
  /** Outbound messages accepted per calendar month (UTC). */
  limit: number;
  /** true: a send past the limit is refused (422 monthly_limit_reached); false: only the event. */
  hard: boolean;
}

export interface OrgLimits {
  monthlyMessages?: MonthlyLimit | null;
}

export const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    monthlyMessages: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['limit'],
      properties: { limit: { type: 'integer', minimum: 0 }, hard: { type: 'boolean', default: false } },
      description: 'Outbound messages per calendar month (UTC); null removes the limit.',
    },
  },
} as const;

export interface PlatformOrgView {
  id: string;
  object: 'org';
  name: string;
  status: 'active' | 'suspended';
  branding: Record<string, unknown>;
  limits: OrgLimits;
  createdAt: string;
  suspendedAt: string | null;
}

export const platformOrgView = (r: any): PlatformOrgView => ({
  id: r.id,
  object: 'org',
  name: r.name,
  status: r.suspended_at ? 'suspended' : 'active',
  branding: r.settings?.branding ?? {},
  limits: r.limits ?? {},
  createdAt: new Date(r.created_at).toISOString(),
  suspendedAt: r.suspended_at ? new Date(r.suspended_at).toISOString() : null,
});

/** The org's row inside a transaction scoped to both the platform and the org; 404 for anything else. */
export async function withPlatformOrg<T>(db: Database, platformId: string, orgId: string, fn: (trx: Knex.Transaction, row: any) => Promise<T>): Promise<T> {
  return withTenantRaw(db, orgId, async (trx) => {
    const row = await trx('orgs').where({ id: orgId }).whereNull('deleted_at').forUpdate().first();
    if (!row) throw notFound('org');
    return fn(trx, row);
  }, platformId);
}

export interface NewPlatformOrg {
  name: string;
  settings?: Record<string, unknown>;
  branding?: Record<string, unknown>;
  limits?: OrgLimits;
}

export async function createPlatformOrg(deps: Deps, platformId: string, input: NewPlatformOrg, actor: PlatformCaller) {
  const settings = mergeSettings({}, { ...(input.settings ?? {}), ...(input.branding ? { branding: input.branding } : {}) });
  const { row, apiKey } = await createOrg(deps, {
    name: input.name,
    settings,
    actor,
    platformId,
    limits: (input.limits ?? {}) as Record<string, unknown>,
    alsoInTransaction: (trx, { orgId, apiKeyId }) =>
      recordPlatformAudit(trx, actor, { action: 'org.created', orgId, target: { type: 'org', id: orgId }, details: { apiKeyId } }),
  });
  return { org: platformOrgView(row), apiKey };
}

export async function listPlatformOrgs(db: Database, platformId: string, opts: { limit: number; cursor?: string }) {
  return withPlatform(db, platformId, async (trx) => {
    const q = trx('orgs').whereNull('deleted_at').orderBy('id').limit(opts.limit + 1);
    if (opts.cursor) q.where('id', '>', opts.cursor);
    const rows = await q;
    const page = rows.slice(0, opts.limit);
    return { object: 'list', data: page.map(platformOrgView), hasMore: rows.length > opts.limit, nextCursor: rows.length > opts.limit ? page.at(-1)!.id : null };
  });
}

export interface OrgChange {
  name?: string;
  branding?: Record<string, unknown> | null;
  limits?: OrgLimits;
}

export async function updatePlatformOrg(deps: Deps, platformId: string, orgId: string, change: OrgChange, actor: PlatformCaller) {
  return withPlatformOrg(deps.db, platformId, orgId, async (trx, row) => {
    const settings = change.branding !== undefined ? mergeSettings(row.settings ?? {}, { branding: change.branding }) : row.settings;
    const limits = change.limits ? { ...(row.limits ?? {}), ...change.limits } : row.limits;
    for (const [k, v] of Object.entries(limits ?? {})) if (v === null) delete (limits as Record<string, unknown>)[k];
    const [updated] = await trx('orgs').where({ id: orgId }).update({ name: change.name ?? row.name, settings, limits }).returning('*');
    noteOrgSettings(trx, orgId, updated.settings);
    const details = { fields: Object.keys(change) };
    await recordAudit({ orgId, trx }, { actor, action: 'org.updated', target: { type: 'org', id: orgId }, details, context: actor.context });
    await recordPlatformAudit(trx, actor, { action: 'org.updated', orgId, target: { type: 'org', id: orgId }, details });
    return platformOrgView(updated);
  });
}

/** Suspends (or resumes) an org; its principals are forgotten so this process refuses them at once. */
export async function setSuspended(deps: Deps, platformId: string, orgId: string, suspended: boolean, actor: PlatformCaller) {
  const view = await withPlatformOrg(deps.db, platformId, orgId, async (trx, row) => {
    if (!!row.suspended_at === suspended) return platformOrgView(row);
    const [updated] = await trx('orgs').where({ id: orgId }).update({ suspended_at: suspended ? trx.fn.now() : null }).returning('*');
    const action = suspended ? 'org.suspended' : 'org.resumed';
    await recordAudit({ orgId, trx }, { actor, action, target: { type: 'org', id: orgId }, context: actor.context });
    await recordPlatformAudit(trx, actor, { action, orgId, target: { type: 'org', id: orgId } });
    return platformOrgView(updated);
  });
  forgetPrincipals(deps.db, { orgId });
  return view;
}

/** Crypto-shredding through the operators' path (core/admin.ts deleteOrg), limited to the platform's own orgs. */
export async function deletePlatformOrg(deps: Deps, platformId: string, orgId: string, actor: PlatformCaller): Promise<void> {
  await deleteOrg(deps, orgId, actor, platformId, (trx, details) =>
    recordPlatformAudit(trx, actor, { action: 'org.deleted', orgId, target: { type: 'org', id: orgId }, details }));
}
