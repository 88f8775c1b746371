import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { lockLiveContact, touchContact } from './contacts.ts';
import { inSavepoint, isUniqueViolation } from './savepoint.ts';
import { getContact, linkView, type ContactView, type LinkRow, type LinkView } from './views.ts';

/**
 * External links: a contact ↔ a record in another system (a HubSpot contact, a Stripe customer,
 * an AppFolio tenant…). One record of a system points at one contact per org; CRM connectors find
 * the contact for an incoming record with findContactByExternalLink.
 */
export interface LinkInput {
  system: string;
  externalId: string;
  url?: string | null;
  data?: Record<string, unknown>;
}

const linkConflict = (contactId: string) =>
  new AppError('conflict', 'This external record is already linked to another contact.', {
    details: [{ field: '/externalId', reason: 'external record already linked to another contact', contactId }],
  });

const findLink = (tx: TenantTx, system: string, externalId: string) =>
  tx.trx('external_links').where({ system, external_id: externalId }).first() as Promise<LinkRow | undefined>;

/** The link row for a record, inserted for this contact when the record is new to the org. */
async function claimLink(tx: TenantTx, contactId: string, input: LinkInput): Promise<{ row: LinkRow; created: boolean }> {
  const existing = await findLink(tx, input.system, input.externalId);
  if (existing) return { row: existing, created: false };
  const values = {
    id: uuidv7(),
    org_id: tx.orgId,
    contact_id: contactId,
    system: input.system,
    external_id: input.externalId,
    url: input.url ?? null,
    data: input.data ?? {},
  };
  try {
    const [row] = await inSavepoint(tx, (inner) => inner.trx('external_links').insert(values).returning('*'));
    return { row, created: true };
  } catch (err) {
    // Another transaction linked the same record between our look-up and our insert.
    if (!isUniqueViolation(err)) throw err;
    const raced = await findLink(tx, input.system, input.externalId);
    if (!raced) throw err;
    return { row: raced, created: false };
  }
}

/**
 * Links a record to a contact. Linking the same record to the same contact again is idempotent
 * (url and data, when given, replace the stored ones); to another contact it is a 409.
 */
export async function addLink(
  tx: TenantTx,
  contactId: string,
  input: LinkInput,
): Promise<{ link: LinkView; contact: ContactView; created: boolean }> {
  await lockLiveContact(tx, contactId);
  const { row, created } = await claimLink(tx, contactId, input);
  if (row.contact_id !== contactId) throw linkConflict(row.contact_id);
  if (created) return { link: linkView(row), contact: await touchContact(tx, contactId, { change: 'link.added', linkId: row.id }), created };
  const update: Partial<LinkRow> = {};
  if (input.url !== undefined && input.url !== row.url) update.url = input.url;
  if (input.data !== undefined && JSON.stringify(input.data) !== JSON.stringify(row.data)) update.data = input.data;
  if (!Object.keys(update).length) return { link: linkView(row), contact: await getContact(tx, contactId), created };
  const [updated] = await tx.trx('external_links').where({ id: row.id }).update(update).returning('*');
  return { link: linkView(updated), contact: await touchContact(tx, contactId, { change: 'link.updated', linkId: row.id }), created };
}

export async function removeLink(tx: TenantTx, contactId: string, linkId: string): Promise<ContactView> {
  await lockLiveContact(tx, contactId);
  // returning(): knex-pglite answers a bare delete with the driver's result object, not a row count.
  const gone = await tx.trx('external_links').where({ id: linkId, contact_id: contactId }).delete().returning('id');
  if (!gone.length) throw new AppError('not_found', `No such link on this contact: ${linkId}.`);
  return touchContact(tx, contactId, { change: 'link.removed', linkId });
}

/** For connectors: the contact a record of another system is linked to, or null. */
export async function findContactByExternalLink(
  tx: TenantTx,
  system: string,
  externalId: string,
): Promise<{ contactId: string; link: LinkView } | null> {
  const row = await findLink(tx, system, externalId);
  return row ? { contactId: row.contact_id, link: linkView(row) } : null;
}
