import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError } from '../errors.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../identity/pagination.ts';
import { heldSetsSql } from './legal-holds-sql.ts';

/**
 * Legal holds: while a hold is active on a conversation, or on a contact (all of that contact's
 * conversations), the retention job leaves its messages alone and GDPR erasure must refuse.
 * A release keeps the row (released_at, released_by): the history of holds is evidence itself.
 */
export type HoldTarget = 'conversation' | 'contact';

export interface LegalHoldView {
  id: string;
  object: 'legal_hold';
  targetType: HoldTarget;
  targetId: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
}

interface HoldRow {
  id: string;
  target_type: HoldTarget;
  target_id: string;
  reason: string;
  created_by: string;
  created_at: Date | string;
  released_at: Date | string | null;
  released_by: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export const holdView = (r: HoldRow): LegalHoldView => ({
  id: r.id,
  object: 'legal_hold',
  targetType: r.target_type,
  targetId: r.target_id,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: iso(r.created_at)!,
  releasedAt: iso(r.released_at),
  releasedBy: r.released_by,
});

async function targetExists(tx: TenantTx, type: HoldTarget, id: string): Promise<boolean> {
  const row = type === 'conversation'
    ? await tx.trx('conversations').select('id').where({ id }).first()
    : await tx.pii('pii.contacts').select('id').where({ id }).first();
  return !!row;
}

export async function createHold(
  tx: TenantTx,
  input: { targetType: HoldTarget; targetId: string; reason: string },
  actor: string,
): Promise<LegalHoldView> {
  if (!(await targetExists(tx, input.targetType, input.targetId))) {
    throw new AppError('not_found', `No such ${input.targetType}: ${input.targetId}.`, {
      details: [{ field: '/targetId', reason: `no such ${input.targetType}` }],
    });
  }
  const [row] = await tx.trx('legal_holds')
    .insert({ id: uuidv7(), org_id: tx.orgId, target_type: input.targetType, target_id: input.targetId, reason: input.reason, created_by: actor })
    .returning('*');
  const hold = holdView(row);
  await appendEvent(tx, { type: 'legal_hold.created', subjectId: hold.id, data: { hold } });
  return hold;
}

/** Releases a hold (idempotent: releasing a released hold changes nothing and returns it). */
export async function releaseHold(tx: TenantTx, id: string, actor: string): Promise<{ hold: LegalHoldView; changed: boolean }> {
  const current: HoldRow | undefined = await tx.trx('legal_holds').where({ id }).forUpdate().first();
  if (!current) throw new AppError('not_found', `No such legal hold: ${id}.`);
  if (current.released_at) return { hold: holdView(current), changed: false };
  const [row] = await tx.trx('legal_holds').where({ id }).update({ released_at: tx.trx.fn.now(), released_by: actor }).returning('*');
  const hold = holdView(row);
  await appendEvent(tx, { type: 'legal_hold.released', subjectId: hold.id, data: { hold } });
  return { hold, changed: true };
}

export async function getHold(tx: TenantTx, id: string): Promise<LegalHoldView> {
  const row: HoldRow | undefined = await tx.trx('legal_holds').where({ id }).first();
  if (!row) throw new AppError('not_found', `No such legal hold: ${id}.`);
  return holdView(row);
}

export interface HoldQuery {
  status?: 'active' | 'released' | 'all';
  targetType?: HoldTarget;
  targetId?: string;
  cursor?: string;
  limit?: number;
}

export async function listHolds(tx: TenantTx, query: HoldQuery): Promise<Page<LegalHoldView>> {
  const limit = query.limit ?? 50;
  const q = tx.trx('legal_holds').select('legal_holds.*', pageKeyColumn(tx.trx, 'legal_holds'));
  if (query.status === 'active') q.whereNull('released_at');
  if (query.status === 'released') q.whereNotNull('released_at');
  if (query.targetType) q.where('target_type', query.targetType);
  if (query.targetId) q.where('target_id', query.targetId);
  const rows: (HoldRow & { page_at: string })[] = await applyPage(q, 'legal_holds', decodePageCursor(query.cursor), limit);
  const page = pageOf(rows, limit);
  return { data: page.rows.map(holdView), nextCursor: page.nextCursor, hasMore: page.hasMore };
}

/**
 * Whether content of a contact or a conversation is under an active legal hold. For a contact:
 * a hold on the contact (or on a contact merged into it), or on any conversation they take part
 * in — erasing their content would destroy held messages. For a conversation: a hold on it, or on
 * any contact that takes part in it.
 */
export async function isUnderLegalHold(tx: TenantTx, target: { contactId?: string; conversationId?: string }): Promise<boolean> {
  if (!target.contactId && !target.conversationId) throw new Error('isUnderLegalHold needs a contactId or a conversationId');
  const checks: string[] = [];
  const params: string[] = [];
  if (target.conversationId) {
    checks.push('EXISTS (SELECT 1 FROM held_conversations WHERE id = ?::uuid)');
    params.push(target.conversationId);
  }
  if (target.contactId) {
    checks.push(`EXISTS (SELECT 1 FROM held_contacts WHERE id = ?::uuid)`);
    checks.push(`EXISTS (SELECT 1 FROM held_conversations h JOIN participants p ON p.conversation_id = h.id WHERE p.contact_id = ?::uuid)`);
    checks.push(`EXISTS (SELECT 1 FROM held_conversations h JOIN conversations c ON c.id = h.id WHERE c.contact_id = ?::uuid)`);
    params.push(target.contactId, target.contactId, target.contactId);
  }
  const { rows } = await tx.trx.raw(`WITH RECURSIVE ${heldSetsSql} SELECT (${checks.join(' OR ')}) AS held`, params);
  return rows[0].held === true;
}
