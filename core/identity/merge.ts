import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError } from '../errors.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from './pagination.ts';
import { getContact, noSuchContact, type ContactView } from './views.ts';

/**
 * Merging folds one contact (the merged one) into another (the survivor): every row pointing at
 * the merged contact is re-pointed, and the exact ids moved are recorded with the actor in
 * contact_merges, so an undo moves back precisely those rows and nothing the survivor gained
 * since. The merged contact stays, frozen, with merged_into set, so its id can be followed.
 */
export interface MergeView {
  id: string;
  object: 'contact_merge';
  survivorId: string;
  mergedId: string;
  /** How many rows of each kind moved to the survivor. */
  moved: Record<MovableKind, number>;
  actor: string;
  undoneBy: string | null;
  createdAt: string;
  undoneAt: string | null;
}

// Every table with a contact_id, and the database it lives in (pii may be a separate one).
const MOVABLE = [
  { kind: 'handles', pii: true, table: 'pii.contact_handles' },
  { kind: 'links', pii: false, table: 'external_links' },
  { kind: 'conversations', pii: false, table: 'conversations' },
  { kind: 'participants', pii: false, table: 'participants' },
  { kind: 'messages', pii: false, table: 'messages' },
] as const;

type MovableKind = (typeof MOVABLE)[number]['kind'];
type Moved = Record<MovableKind, string[]>;

interface MergeRow {
  id: string;
  survivor_id: string;
  merged_id: string;
  moved: Partial<Moved>;
  actor: string;
  undone_by: string | null;
  created_at: Date | string;
  undone_at: Date | string | null;
}

const conn = (tx: TenantTx, pii: boolean): Knex => (pii ? tx.pii : tx.trx);

export const mergeView = (r: MergeRow): MergeView => ({
  id: r.id,
  object: 'contact_merge',
  survivorId: r.survivor_id,
  mergedId: r.merged_id,
  moved: Object.fromEntries(MOVABLE.map((m) => [m.kind, r.moved[m.kind]?.length ?? 0])) as Record<MovableKind, number>,
  actor: r.actor,
  undoneBy: r.undone_by,
  createdAt: new Date(r.created_at).toISOString(),
  undoneAt: r.undone_at ? new Date(r.undone_at).toISOString() : null,
});

/** Locks both contacts in id order, so two merges of the same pair in opposite directions cannot deadlock. */
async function lockPair(tx: TenantTx, a: string, b: string) {
  const rows: { id: string; merged_into: string | null }[] = await tx.pii('pii.contacts')
    .select('id', 'merged_into')
    .whereIn('id', [a, b])
    .orderBy('id')
    .forUpdate();
  return { first: rows.find((r) => r.id === a), second: rows.find((r) => r.id === b) };
}

const touch = (tx: TenantTx, ids: string[], extra: Record<string, unknown> = {}) =>
  tx.pii('pii.contacts').whereIn('id', ids).update({ ...extra, updated_at: tx.pii.fn.now() });

export async function mergeContacts(
  tx: TenantTx,
  survivorId: string,
  mergedId: string,
  actor: string,
): Promise<{ merge: MergeView; contact: ContactView }> {
  if (survivorId === mergedId) {
    throw new AppError('unprocessable', 'A contact cannot be merged with itself.', {
      details: [{ field: '/contactId', reason: 'is the surviving contact itself' }],
    });
  }
  const { first: survivor, second: merged } = await lockPair(tx, survivorId, mergedId);
  if (!survivor) throw noSuchContact(survivorId);
  if (!merged) throw noSuchContact(mergedId, '/contactId');
  for (const [row, field] of [[survivor, 'id'], [merged, '/contactId']] as const) {
    if (row.merged_into) {
      throw new AppError('unprocessable', `Contact ${row.id} was already merged into ${row.merged_into}.`, {
        details: [{ field, reason: 'contact was already merged', mergedInto: row.merged_into }],
      });
    }
  }
  const moved = {} as Moved;
  for (const m of MOVABLE) {
    const rows: { id: string }[] = await conn(tx, m.pii)(m.table).where({ contact_id: mergedId }).update({ contact_id: survivorId }).returning('id');
    moved[m.kind] = rows.map((r) => r.id);
  }
  const [row] = await tx.trx('contact_merges')
    .insert({ id: uuidv7(), org_id: tx.orgId, survivor_id: survivorId, merged_id: mergedId, moved: JSON.stringify(moved), actor })
    .returning('*');
  await touch(tx, [mergedId], { merged_into: survivorId });
  await touch(tx, [survivorId]);
  const merge = mergeView(row);
  const contact = await getContact(tx, survivorId);
  await appendEvent(tx, { type: 'contact.merged', subjectId: survivorId, data: { mergeId: merge.id, survivorId, mergedId, moved: merge.moved, contact } });
  return { merge, contact };
}

/**
 * Undoes a merge: moves back exactly the recorded rows that still point at the survivor and
 * un-freezes the merged contact. A survivor that was itself merged since must be unmerged first
 * (undoing out of order would split rows between the wrong contacts).
 */
export async function undoMerge(
  tx: TenantTx,
  mergeId: string,
  actor: string,
): Promise<{ merge: MergeView; contact: ContactView; restored: ContactView }> {
  const row: MergeRow | undefined = await tx.trx('contact_merges').where({ id: mergeId }).forUpdate().first();
  if (!row) throw new AppError('not_found', `No such merge: ${mergeId}.`);
  if (row.undone_at) throw new AppError('conflict', 'This merge was already undone.', { details: [{ reason: 'already undone', undoneAt: new Date(row.undone_at).toISOString() }] });
  const { first: survivor, second: merged } = await lockPair(tx, row.survivor_id, row.merged_id);
  if (!survivor || !merged || merged.merged_into !== survivor.id) {
    throw new AppError('conflict', 'The contacts of this merge have changed since; it cannot be undone.');
  }
  if (survivor.merged_into) {
    throw new AppError('conflict', `Contact ${survivor.id} was itself merged into ${survivor.merged_into} since; undo that merge first.`, {
      details: [{ reason: 'survivor was merged since', mergedInto: survivor.merged_into }],
    });
  }
  for (const m of MOVABLE) {
    const ids = row.moved[m.kind] ?? [];
    // One array parameter, not one per id: a busy contact can have more messages than bind slots.
    if (ids.length) {
      await conn(tx, m.pii)(m.table).whereRaw('id = ANY(?::uuid[])', [ids]).andWhere({ contact_id: survivor.id }).update({ contact_id: merged.id });
    }
  }
  const [undone] = await tx.trx('contact_merges').where({ id: mergeId }).update({ undone_at: tx.trx.fn.now(), undone_by: actor }).returning('*');
  await touch(tx, [merged.id], { merged_into: null });
  await touch(tx, [survivor.id]);
  const merge = mergeView(undone);
  const contact = await getContact(tx, survivor.id);
  const restored = await getContact(tx, merged.id);
  await appendEvent(tx, {
    type: 'contact.unmerged',
    subjectId: survivor.id,
    data: { mergeId, survivorId: survivor.id, mergedId: merged.id, contact, restored },
  });
  return { merge, contact, restored };
}

/** Merges a contact took part in, as survivor or as merged, newest first. */
export async function listMerges(tx: TenantTx, contactId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<MergeView>> {
  const exists = await tx.pii('pii.contacts').select('id').where({ id: contactId }).first();
  if (!exists) throw noSuchContact(contactId);
  const limit = query.limit ?? 20;
  const q = tx.trx('contact_merges')
    .select('*', pageKeyColumn(tx.trx, 'contact_merges'))
    .where((w) => w.where({ survivor_id: contactId }).orWhere({ merged_id: contactId }));
  const rows: (MergeRow & { page_at: string })[] = await applyPage(q, 'contact_merges', decodePageCursor(query.cursor), limit);
  const page = pageOf(rows, limit);
  return { data: page.rows.map(mergeView), nextCursor: page.nextCursor, hasMore: page.hasMore };
}
