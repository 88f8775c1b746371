import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { ContactUpdateEvent, ExternalEvent, Handle } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError } from '../errors.ts';
import { addHandle, findHandle, findOrCreateContactByHandle, resolveContactId, updateContact } from '../identity/contacts.ts';
import { normalizeHandle, type NormalizedHandle } from '../identity/handles.ts';
import { addLink, findContactByExternalLink } from '../identity/links.ts';
import { inSavepoint } from '../identity/savepoint.ts';

/**
 * Events of vertical, payments and CRM systems (a job dispatched, an invoice unpaid), from a
 * webhook or a polled page, become engine events named `<connector>.<type>` (the names rules
 * trigger on), each at most once per connection: the dedupe row is inserted in the transaction
 * that appends the event, so a redelivery or a re-polled page after a crash is skipped.
 */
export interface ExternalOutcome {
  eventType: string;
  duplicate: boolean;
  contactId?: string;
}

const connectorCache = new WeakMap<TenantTx, Map<string, string>>();

/** The connector a connection runs (events are named after it). */
export async function connectorOf(tx: TenantTx, connectionId: string): Promise<string> {
  let byConnection = connectorCache.get(tx);
  if (!byConnection) connectorCache.set(tx, (byConnection = new Map()));
  const known = byConnection.get(connectionId);
  if (known) return known;
  const row = await tx.trx('connections').select('connector_id').where({ id: connectionId }).first();
  if (!row) throw new AppError('not_found', `No such connection: ${connectionId}.`);
  byConnection.set(connectionId, row.connector_id);
  return row.connector_id;
}

/** Providers without an event id still must not fire twice: the content names the event then. */
function dedupeKey(e: ExternalEvent): string {
  if (e.externalId) return e.externalId;
  const canonical = JSON.stringify({ type: e.type, occurredAt: e.occurredAt ?? null, subject: e.subject ?? null, data: e.data });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/**
 * A provider's phone or email is not always usable ("555-0100" without a country): such a handle
 * is left out rather than failing the whole delivery, and the event still lands (without contact).
 */
function usableHandle(h: Handle | undefined): NormalizedHandle | null {
  if (!h) return null;
  try {
    return normalizeHandle(h, '/subject/value');
  } catch (err) {
    if (err instanceof AppError && (err.code === 'invalid_handle' || err.code === 'validation_failed')) return null;
    throw err;
  }
}

export async function recordExternalEvent(tx: TenantTx, connectionId: string, e: ExternalEvent): Promise<ExternalOutcome> {
  const connector = await connectorOf(tx, connectionId);
  const eventType = `${connector}.${e.type}`;
  const inserted = await tx.trx('external_events')
    .insert({ id: uuidv7(), org_id: tx.orgId, connection_id: connectionId, type: e.type, external_id: dedupeKey(e) })
    .onConflict(['connection_id', 'type', 'external_id'])
    .ignore()
    .returning('id');
  if (!inserted.length) return { eventType, duplicate: true };
  const handle = usableHandle(e.subject);
  const contactId = handle ? (await findOrCreateContactByHandle(tx, handle)).contactId : undefined;
  await appendEvent(tx, {
    type: eventType,
    subjectId: contactId ?? null,
    data: {
      connectionId,
      externalId: e.externalId ?? null,
      occurredAt: e.occurredAt ?? null,
      ...(contactId ? { contactId } : {}),
      ...e.data,
    },
  });
  return { eventType, duplicate: false, ...(contactId ? { contactId } : {}) };
}

/**
 * A person record of another system (a Stripe customer, a ServiceTitan customer, a QuickBooks
 * customer) → our contact: found by the record's link (system = connector id), else by the handle,
 * else created; linked; the handle added when it is free; the name set when the contact has none
 * (a name typed by people wins); the record's non-sensitive fields kept under the connector's key
 * in the contact's attributes. Handles owned by another contact are left alone (no silent merge).
 */
export async function upsertPerson(tx: TenantTx, connectionId: string, e: ContactUpdateEvent & { externalId: string }): Promise<string | null> {
  const system = await connectorOf(tx, connectionId);
  const handle = usableHandle(e.handle);
  const linked = await findContactByExternalLink(tx, system, e.externalId);
  let contactId: string;
  if (linked) {
    contactId = await resolveContactId(tx, linked.contactId);
    if (handle && !(await findHandle(tx, handle))) await addHandle(tx, contactId, handle);
  } else {
    if (!handle) return null;
    contactId = (await findOrCreateContactByHandle(tx, handle, e.name?.trim() ? { name: e.name.trim() } : {})).contactId;
    try {
      await inSavepoint(tx, (inner) => addLink(inner, contactId, { system, externalId: e.externalId }));
    } catch (err) {
      // The record got linked to another contact meanwhile: that link stands.
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
    }
  }
  await describeContact(tx, contactId, system, e);
  return contactId;
}

async function describeContact(tx: TenantTx, contactId: string, system: string, e: ContactUpdateEvent): Promise<void> {
  const row = await tx.pii('pii.contacts').select('id', 'name_enc', 'attributes_enc').where({ id: contactId }).first();
  if (!row) return;
  const patch: { name?: string; attributes?: Record<string, unknown> } = {};
  if (e.name?.trim() && !tx.crypto.decrypt(row.id, 'name', row.name_enc)) patch.name = e.name.trim();
  if (e.attributes && Object.keys(e.attributes).length) {
    const current = tx.crypto.decryptJson<Record<string, unknown>>(row.id, 'attributes', row.attributes_enc) ?? {};
    const next = { ...((current[system] as Record<string, unknown> | undefined) ?? {}), ...e.attributes };
    if (JSON.stringify(next) !== JSON.stringify(current[system])) patch.attributes = { [system]: next };
  }
  if (Object.keys(patch).length) await updateContact(tx, contactId, patch);
}
