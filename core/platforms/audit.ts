import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { withPlatform } from '../db/tenant.ts';
import { invalid } from '../errors.ts';
import { userAgentHash, type AuditActor, type AuditContext } from '../audit/record.ts';

/**
 * The platform's own audit trail (platform_audit_log): what a platform did to its orgs and keys,
 * and what it changed while acting on an org (Switchboard-Org). The org's trail records the same
 * change as done by "the platform"; this one says which platform key did it, and it outlives the
 * org. Written in the transaction of the change where there is one (the platform setting is set,
 * so RLS admits only the platform's own rows). Ids, routes and counts only.
 */
export type PlatformAuditAction =
  | 'org.created'
  | 'org.updated'
  | 'org.suspended'
  | 'org.resumed'
  | 'org.deleted'
  | 'org.acted_on'
  | 'platform.updated'
  | 'platform_key.created'
  | 'platform_key.revoked'
  | 'sign_in_token.created';

/** Who called: the platform, the key it used (null from the CLI) and from where. */
export interface PlatformCaller extends AuditActor {
  type: 'platform';
  id: string;
  keyId: string | null;
  context?: AuditContext;
}

export interface PlatformAuditEntry {
  action: PlatformAuditAction;
  orgId?: string | null;
  target?: { type: string; id: string | null } | null;
  details?: Record<string, unknown>;
}

export async function recordPlatformAudit(trx: Knex, caller: PlatformCaller, entry: PlatformAuditEntry): Promise<void> {
  await trx('platform_audit_log').insert({
    id: uuidv7(),
    platform_id: caller.id,
    actor_type: caller.keyId ? 'platform_key' : 'cli',
    actor_id: caller.keyId,
    action: entry.action,
    org_id: entry.orgId ?? null,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    details: JSON.stringify(entry.details ?? {}),
    ip: caller.context?.ip ?? null,
    user_agent_hash: userAgentHash(caller.context?.userAgent),
  });
}

export interface PlatformAuditQuery {
  limit?: number;
  cursor?: string;
  /** Comma-separated actions. */
  action?: string;
  orgId?: string;
}

const encodeCursor = (id: string) => Buffer.from(`paudit:${id}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const m = /^paudit:([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid('cursor', 'is not a cursor returned by this API');
  return m[1]!;
}

const view = (r: any) => ({
  id: r.id,
  object: 'platform_audit_entry',
  actor: { type: r.actor_type, id: r.actor_id },
  action: r.action,
  orgId: r.org_id,
  target: r.target_type ? { type: r.target_type, id: r.target_id } : null,
  details: r.details ?? {},
  context: { ip: r.ip, userAgentHash: r.user_agent_hash },
  createdAt: new Date(r.created_at).toISOString(),
});

/** Newest first (ids are time-ordered UUIDv7); the cursor is the last id returned. */
export async function listPlatformAudit(db: Database, platformId: string, query: PlatformAuditQuery = {}) {
  const limit = query.limit ?? 50;
  return withPlatform(db, platformId, async (trx) => {
    const q = trx('platform_audit_log').orderBy('id', 'desc').limit(limit + 1);
    if (query.cursor) q.where('id', '<', decodeCursor(query.cursor));
    if (query.action) q.whereIn('action', query.action.split(',').map((a) => a.trim()).filter(Boolean));
    if (query.orgId) q.where({ org_id: query.orgId });
    const rows = await q;
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return { object: 'list', data: page.map(view), hasMore, nextCursor: hasMore ? encodeCursor(page.at(-1)!.id) : null };
  });
}

/**
 * A change a platform made while acting on one of its orgs (Switchboard-Org). Written after the
 * org's own transaction committed (the route's handler owns that one), so a crash in between can
 * lose this entry but never the org's own record of the change. Reads are not recorded.
 */
export async function recordActingOnOrg(db: Database, caller: PlatformCaller, orgId: string, request: { method: string; route: string; status: number }) {
  await withPlatform(db, caller.id, (trx) => recordPlatformAudit(trx, caller, { action: 'org.acted_on', orgId, details: request }));
}
