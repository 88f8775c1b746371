import type { ActorType, ChainFields } from './chain.ts';

/**
 * audit_log rows as the chain code reads them. created_at is read as text with microseconds
 * (a JS Date would drop them, and an edit below a millisecond would go unseen); position as text
 * (bigint) and turned into a number (a chain never gets near 2^53 entries).
 */
export interface AuditRow {
  id: string;
  org_id: string;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  user_agent_hash: string | null;
  created_at: string;
  position: string | null;
  prev_hash: Buffer | Uint8Array | null;
  hash: Buffer | Uint8Array | null;
  tx: string;
  seq: string;
}

export const AUDIT_COLUMNS = `id, org_id, actor_type, actor_id, action, target_type, target_id, details, ip, user_agent_hash,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
  position::text AS position, prev_hash, hash, tx::text AS tx, seq::text AS seq`;

export const buf = (b: Buffer | Uint8Array | null): Buffer | null => (b ? Buffer.from(b) : null);

export function chainFields(r: AuditRow, position: number): ChainFields {
  return {
    id: r.id,
    orgId: r.org_id,
    position,
    actor: { type: r.actor_type, id: r.actor_id },
    action: r.action,
    target: r.target_type ? { type: r.target_type, id: r.target_id } : null,
    details: r.details ?? {},
    context: { ip: r.ip, userAgentHash: r.user_agent_hash },
    createdAt: r.created_at,
  };
}

export interface AuditEntryView {
  id: string;
  object: 'audit_entry';
  position: number | null;
  actor: { type: ActorType; id: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  details: Record<string, unknown>;
  context: { ip: string | null; userAgentHash: string | null };
  createdAt: string;
  prevHash: string | null;
  hash: string | null;
}

export function auditView(r: AuditRow): AuditEntryView {
  const { actor, action, target, details, context, createdAt } = chainFields(r, 0);
  return {
    id: r.id,
    object: 'audit_entry',
    position: r.position === null ? null : Number(r.position),
    actor,
    action,
    target,
    details,
    context,
    createdAt,
    prevHash: buf(r.prev_hash)?.toString('hex') ?? null,
    hash: buf(r.hash)?.toString('hex') ?? null,
  };
}
