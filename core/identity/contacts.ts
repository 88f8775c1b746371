import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError } from '../errors.ts';
import { normalizeHandle, type HandleInput, type NormalizedHandle } from './handles.ts';

/**
 * Contacts: one person behind many handles. Names, handle values and attributes are encrypted;
 * handles are found through their blind index, never by decrypting.
 */
export interface HandleView {
  id: string;
  kind: string;
  value: string;
}

export async function findHandle(tx: TenantTx, h: NormalizedHandle) {
  return tx.pii('pii.contact_handles')
    .select('id', 'contact_id')
    .where({ kind: h.kind, value_index: tx.crypto.blindIndex(h.kind, h.value) })
    .first() as Promise<{ id: string; contact_id: string } | undefined>;
}

export async function insertHandle(tx: TenantTx, contactId: string, h: NormalizedHandle): Promise<string> {
  const id = uuidv7();
  await tx.pii('pii.contact_handles').insert({
    id,
    org_id: tx.orgId,
    contact_id: contactId,
    kind: h.kind,
    value_enc: tx.crypto.encrypt(id, 'value', h.value),
    value_index: tx.crypto.blindIndex(h.kind, h.value),
  });
  return id;
}

export async function insertContact(
  tx: TenantTx,
  c: { name?: string | null; attributes?: Record<string, unknown>; timezone?: string | null },
): Promise<string> {
  const id = uuidv7();
  await tx.pii('pii.contacts').insert({
    id,
    org_id: tx.orgId,
    name_enc: tx.crypto.encrypt(id, 'name', c.name ?? null),
    attributes_enc: tx.crypto.encryptJson(id, 'attributes', c.attributes ?? {}),
    timezone: c.timezone ?? null,
  });
  return id;
}

/**
 * The contact behind a handle, created (with contact.created) when the handle is new to the org.
 * Concurrent first messages from one new number race on the (org, kind, index) unique key; the
 * loser retries inside a savepoint and finds the winner's contact.
 */
export async function findOrCreateContactByHandle(
  tx: TenantTx,
  input: HandleInput,
  opts: { name?: string; field?: string } = {},
): Promise<{ contactId: string; handleId: string; created: boolean }> {
  const handle = normalizeHandle(input, opts.field);
  const existing = await findHandle(tx, handle);
  if (existing) return { contactId: existing.contact_id, handleId: existing.id, created: false };
  try {
    return await tx.trx.transaction(async (sp) => {
      const inner = { ...tx, trx: sp, pii: tx.pii === tx.trx ? sp : tx.pii };
      const contactId = await insertContact(inner, { name: opts.name });
      const handleId = await insertHandle(inner, contactId, handle);
      await appendEvent(inner, { type: 'contact.created', subjectId: contactId, data: { contactId, handles: [{ id: handleId, ...handle }] } });
      return { contactId, handleId, created: true };
    });
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const winner = await findHandle(tx, handle);
    if (!winner) throw err;
    return { contactId: winner.contact_id, handleId: winner.id, created: false };
  }
}

/** The live contact for an id: follows merges to the survivor; 404 when absent (or another org's). */
export async function resolveContactId(tx: TenantTx, contactId: string, field = 'contact'): Promise<string> {
  let id = contactId;
  for (let hops = 0; hops < 10; hops++) {
    const row = await tx.pii('pii.contacts').select('id', 'merged_into').where({ id }).first();
    if (!row) throw new AppError('not_found', `No such contact: ${contactId}.`, { details: [{ field, reason: 'no such contact' }] });
    if (!row.merged_into) return row.id;
    id = row.merged_into;
  }
  return id;
}
