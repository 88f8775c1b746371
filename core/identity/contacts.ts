import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError, invalid } from '../errors.ts';
import { normalizeHandle, type HandleInput, type NormalizedHandle } from './handles.ts';
import { inSavepoint, isUniqueViolation } from './savepoint.ts';
import { getContact, noSuchContact, type ContactRow, type ContactView } from './views.ts';

export type { HandleView, ContactView } from './views.ts';

/**
 * Contacts: one person behind many handles. Names, handle values and attributes are encrypted;
 * handles are found through their blind index, never by decrypting. A handle belongs to at most
 * one contact per org (the unique (org, kind, index) key enforces it under concurrency too).
 */
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
    return await inSavepoint(tx, async (inner) => {
      const contactId = await insertContact(inner, { name: opts.name });
      const handleId = await insertHandle(inner, contactId, handle);
      await appendEvent(inner, { type: 'contact.created', subjectId: contactId, data: { contactId, contact: await getContact(inner, contactId) } });
      return { contactId, handleId, created: true };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
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
    if (!row) throw noSuchContact(contactId, field);
    if (!row.merged_into) return row.id;
    id = row.merged_into;
  }
  return id;
}

/**
 * Locks a contact that is about to change. Absorbed contacts are frozen (their data moved to the
 * survivor; changing them would make an unmerge restore something else): 422 pointing at it.
 */
export async function lockLiveContact(tx: TenantTx, id: string, field?: string): Promise<ContactRow> {
  const row = await tx.pii('pii.contacts').select('*').where({ id }).forUpdate().first();
  if (!row) throw noSuchContact(id, field);
  if (row.merged_into) {
    throw new AppError('unprocessable', `Contact ${id} was merged into ${row.merged_into}; change that contact instead.`, {
      details: [{ ...(field ? { field } : {}), reason: 'contact was merged', mergedInto: row.merged_into }],
    });
  }
  return row;
}

export function normalizeTimezone(tz: string, field = '/timezone'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw invalid(field, `"${tz}" is not an IANA time zone, e.g. America/New_York`);
  }
  // Canonical spelling for the common zones ("america/new_york" → "America/New_York"); links
  // such as "EST" or "Etc/GMT+5" stay as written rather than becoming some other city.
  return Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === tz.toLowerCase()) ?? tz;
}

const handleConflict = (field: string, contactId: string) =>
  new AppError('conflict', 'This handle already belongs to another contact.', {
    details: [{ field, reason: 'handle already belongs to another contact', contactId }],
  });

/** Puts a handle on a contact: idempotent for the same contact, 409 naming the owner for another. */
async function attachHandle(tx: TenantTx, contactId: string, h: NormalizedHandle, field: string) {
  const claim = async () => {
    const owner = await findHandle(tx, h);
    if (owner && owner.contact_id !== contactId) throw handleConflict(field, owner.contact_id);
    return owner?.id;
  };
  const existing = await claim();
  if (existing) return { id: existing, created: false };
  try {
    return { id: await inSavepoint(tx, (inner) => insertHandle(inner, contactId, h)), created: true };
  } catch (err) {
    // Another transaction attached the same handle between our look-up and our insert.
    if (!isUniqueViolation(err)) throw err;
    const raced = await claim();
    if (!raced) throw err;
    return { id: raced, created: false };
  }
}

export interface ContactInput {
  name?: string | null;
  attributes?: Record<string, unknown>;
  timezone?: string | null;
  handles?: HandleInput[];
}

export async function createContact(tx: TenantTx, input: ContactInput): Promise<ContactView> {
  // Normalize everything before writing, so a bad handle fails the request with nothing done.
  const handles = (input.handles ?? []).map((h, i) => ({ h: normalizeHandle(h, `/handles/${i}/value`), field: `/handles/${i}/value` }));
  const timezone = input.timezone ? normalizeTimezone(input.timezone) : null;
  const contactId = await insertContact(tx, { name: input.name, attributes: input.attributes, timezone });
  // "+1 (415) 555-0134" and "+14155550134" in one request are one handle: attachHandle makes the repeat a no-op.
  for (const { h, field } of handles) await attachHandle(tx, contactId, h, field);
  const contact = await getContact(tx, contactId);
  await appendEvent(tx, { type: 'contact.created', subjectId: contactId, data: { contactId, contact } });
  return contact;
}

export interface ContactPatch {
  name?: string | null;
  /** Merged key by key into the stored attributes; a key set to null is removed. */
  attributes?: Record<string, unknown>;
  timezone?: string | null;
}

export async function updateContact(tx: TenantTx, id: string, patch: ContactPatch): Promise<ContactView> {
  const row = await lockLiveContact(tx, id);
  const changes: Record<string, unknown> = {};
  if (patch.name !== undefined) changes.name_enc = tx.crypto.encrypt(id, 'name', patch.name);
  if (patch.timezone !== undefined) changes.timezone = patch.timezone === null ? null : normalizeTimezone(patch.timezone);
  if (patch.attributes !== undefined) {
    const attributes = { ...(tx.crypto.decryptJson<Record<string, unknown>>(id, 'attributes', row.attributes_enc) ?? {}) };
    for (const [k, v] of Object.entries(patch.attributes)) {
      if (v === null) delete attributes[k];
      else attributes[k] = v;
    }
    changes.attributes_enc = tx.crypto.encryptJson(id, 'attributes', attributes);
  }
  if (!Object.keys(changes).length) return getContact(tx, id);
  await tx.pii('pii.contacts').where({ id }).update({ ...changes, updated_at: tx.pii.fn.now() });
  const contact = await getContact(tx, id);
  const fields = Object.keys(patch).filter((k) => patch[k as keyof ContactPatch] !== undefined);
  await appendEvent(tx, { type: 'contact.updated', subjectId: id, data: { contactId: id, changes: fields, contact } });
  return contact;
}

/** Records a change to a contact's handles or links: bumps updated_at and emits contact.updated. */
export async function touchContact(tx: TenantTx, id: string, change: Record<string, unknown>): Promise<ContactView> {
  await tx.pii('pii.contacts').where({ id }).update({ updated_at: tx.pii.fn.now() });
  const contact = await getContact(tx, id);
  await appendEvent(tx, { type: 'contact.updated', subjectId: id, data: { contactId: id, ...change, contact } });
  return contact;
}

export async function addHandle(tx: TenantTx, contactId: string, input: HandleInput, field = '/value') {
  await lockLiveContact(tx, contactId);
  const h = normalizeHandle(input, field);
  const { id, created } = await attachHandle(tx, contactId, h, field);
  const contact = created ? await touchContact(tx, contactId, { change: 'handle.added', handleId: id }) : await getContact(tx, contactId);
  return { handle: { id, kind: h.kind, value: h.value }, contact, created };
}

export async function removeHandle(tx: TenantTx, contactId: string, handleId: string): Promise<ContactView> {
  await lockLiveContact(tx, contactId);
  // returning(): knex-pglite answers a bare delete with the driver's result object, not a row count.
  const gone = await tx.pii('pii.contact_handles').where({ id: handleId, contact_id: contactId }).delete().returning('id');
  if (!gone.length) throw new AppError('not_found', `No such handle on this contact: ${handleId}.`);
  return touchContact(tx, contactId, { change: 'handle.removed', handleId });
}
