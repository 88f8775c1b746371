import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import type { AuditActor, AuditTarget } from './chain.ts';

export type { ActorType, AuditActor, AuditTarget } from './chain.ts';

/**
 * recordAudit: one entry in the org's audit trail, written in the caller's transaction so it
 * commits (or not) with the change it describes. The entry is written unsealed; the sealer
 * chains it shortly after (seal.ts), so recording takes no org-wide lock and sends stay parallel.
 *
 * Details carry ids, codes and counts only — never message content, names or handle values: the
 * log is append-only, so nothing written here can ever be erased.
 */
export type AuditAction =
  | 'org.created'
  | 'org.updated'
  | 'org.deleted'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'keys.rotated'
  | 'contact.merged'
  | 'contact.unmerged'
  | 'contact.exported'
  | 'contact.erased'
  | 'connection.created'
  | 'connection.updated'
  | 'connection.upgraded'
  | 'connection.deleted'
  | 'message.sent'
  | 'message.refused'
  | 'consent.recorded'
  | 'pii.read'
  | (string & {});

/** Where a request came from; the user agent is kept only as a hash. */
export interface AuditContext {
  ip?: string | null;
  userAgent?: string | null;
}

export interface NewAuditEntry {
  actor: AuditActor;
  action: AuditAction;
  target?: AuditTarget | null;
  details?: Record<string, unknown>;
  context?: AuditContext;
}

/** The part of a tenant transaction auditing needs (no crypto: org creation and deletion have none). */
export type AuditTx = Pick<TenantTx, 'orgId' | 'trx'>;

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null };

export const userAgentHash = (ua: string | null | undefined) =>
  ua ? crypto.createHash('sha256').update(ua).digest('hex').slice(0, 32) : null;

export async function recordAudit(tx: AuditTx, entry: NewAuditEntry): Promise<string> {
  const id = uuidv7();
  await tx.trx('audit_log').insert({
    id,
    org_id: tx.orgId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    details: JSON.stringify(entry.details ?? {}),
    ip: entry.context?.ip ?? null,
    user_agent_hash: userAgentHash(entry.context?.userAgent),
  });
  return id;
}
