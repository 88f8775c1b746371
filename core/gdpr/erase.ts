import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import { recordAudit, type NewAuditEntry } from '../audit/record.ts';
import { lockLiveContact } from '../identity/contacts.ts';
import { noSuchContact } from '../identity/views.ts';
import { isUnderLegalHold } from '../compliance/legal-holds.ts';
import { footprint, type Footprint } from './footprint.ts';
import { eraseEvents, eraseIdempotentResponses } from './erase-payloads.ts';
import { hasContentSql, noContent } from '../messages/content.ts';

/**
 * GDPR erasure (art. 17) of one person, in one tenant transaction:
 * - the contact and the contacts merged into it are deleted with their handles: name,
 *   attributes and handle values are gone, not hidden. Afterwards the id answers 404 like an id
 *   that never existed (a tombstone would itself say that this person was a contact);
 * - their messages keep ids, direction, channel, status, error code and metadata; their content
 *   (MESSAGE_CONTENT_COLUMNS, the same as retention) is destroyed (content_purged_at records when);
 *   the conversations they are the customer of lose their subject;
 * - external links (CRM records naming them) are deleted; so are the archived provider requests
 *   (raw_inbound) that carried their messages or status callbacks;
 * - the events about them and stored idempotent responses naming them are re-sealed with our ids
 *   only (a CRM's or a provider's id for them goes too); webhook receivers' answers to those
 *   events are dropped;
 * - contact.deleted {erased: true} tells feed consumers; contact.erased goes to the audit trail
 *   with counts. Kept on purpose: merge records (ids), the audit trail (never holds personal
 *   data) and the consent ledger (proof of an opt-out must outlive the person's other data).
 * A legal hold on the contact or any of their conversations refuses the erasure (409 legal_hold).
 */
export interface ErasureCounts {
  contacts: number;
  handles: number;
  links: number;
  messages: number;
  conversations: number;
  events: number;
  rawInbound: number;
  idempotentResponses: number;
}

/**
 * With PII in its own database the pii transaction commits first: a crash between the two
 * commits leaves the contact deleted and its content in place. Erasing the id again then
 * finishes the job (content still held under a contact id that no longer exists).
 */
async function contentRemains(tx: TenantTx, contactId: string): Promise<boolean> {
  const { rows } = await tx.trx.raw(
    `SELECT EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = ?::uuid AND ${hasContentSql('m')})
         OR EXISTS (SELECT 1 FROM external_links WHERE contact_id = ?::uuid) AS remains`,
    [contactId, contactId],
  );
  return rows[0].remains === true;
}

async function destroyContent(tx: TenantTx, fp: Footprint) {
  const messages = await tx.trx('messages')
    .whereRaw('contact_id = ANY(?::uuid[])', [fp.contactIds])
    .update({ ...noContent(), content_purged_at: tx.trx.fn.now(), updated_at: tx.trx.fn.now() })
    .returning(['id', 'provider_message_id']);
  const conversations = await tx.trx('conversations').whereRaw('id = ANY(?::uuid[])', [fp.ownConversationIds]).whereNotNull('subject_enc').update({ subject_enc: null }).returning('id');
  const links = await tx.trx('external_links').whereRaw('contact_id = ANY(?::uuid[])', [fp.contactIds]).delete().returning('id');
  const providerIds = messages.map((m: { provider_message_id: string | null }) => m.provider_message_id).filter((p: string | null): p is string => !!p);
  const { rows: raw } = await tx.trx.raw(
    `DELETE FROM raw_inbound WHERE org_id = sb_org() AND (message_ids && ?::uuid[] OR provider_message_ids && ?::text[]) RETURNING id`,
    [fp.messageIds, providerIds],
  );
  // AI enrichments quote and summarize the content: those of the messages and their conversations go too.
  await tx.trx.raw(
    `DELETE FROM ai_enrichments WHERE org_id = sb_org() AND (subject_id = ANY(?::uuid[]) OR conversation_id = ANY(?::uuid[])
       OR conversation_id IN (SELECT conversation_id FROM messages WHERE id = ANY(?::uuid[])))`,
    [fp.messageIds, fp.ownConversationIds, fp.messageIds],
  );
  return { messages: messages.length, conversations: conversations.length, links: links.length, rawInbound: raw.length };
}

export async function eraseContact(
  tx: TenantTx,
  contactId: string,
  by: Pick<NewAuditEntry, 'actor' | 'context'>,
): Promise<{ id: string; object: 'contact'; deleted: true; erased: ErasureCounts }> {
  const exists = await tx.pii('pii.contacts').select('id').where({ id: contactId }).first();
  if (exists) await lockLiveContact(tx, contactId);
  else if (!(await contentRemains(tx, contactId))) throw noSuchContact(contactId);
  if (await isUnderLegalHold(tx, { contactId })) {
    throw new AppError('legal_hold', 'This contact, or a conversation they take part in, is under a legal hold: release the hold before erasing.', {
      details: [{ reason: 'legal hold active', contactId }],
    });
  }
  const fp = await footprint(tx, contactId);
  const handleRows: { id: string; kind: string; value_enc: Uint8Array }[] = await tx.pii('pii.contact_handles')
    .select('id', 'kind', 'value_enc')
    .whereRaw('contact_id = ANY(?::uuid[])', [fp.contactIds]);
  const handles = handleRows.map((h) => ({ kind: h.kind, value: tx.crypto.decrypt(h.id, 'value', Buffer.from(h.value_enc)) ?? '' }));
  const content = await destroyContent(tx, fp);
  const events = await eraseEvents(tx, fp, handles);
  const named = new Set([...fp.contactIds, ...fp.messageIds, ...handleRows.map((h) => h.id)]);
  const idempotentResponses = await eraseIdempotentResponses(tx, named);
  // Deleted last: the steps above read the handles (consent signals are matched on their values).
  await tx.pii('pii.contact_handles').whereRaw('contact_id = ANY(?::uuid[])', [fp.contactIds]).delete().returning('id');
  const contacts = await tx.pii('pii.contacts').whereRaw('id = ANY(?::uuid[])', [fp.contactIds]).delete().returning('id');
  const erased: ErasureCounts = { contacts: contacts.length, handles: handleRows.length, ...content, events, idempotentResponses };
  await appendEvent(tx, { type: 'contact.deleted', subjectId: contactId, data: { contactId, erased: true, absorbedIds: fp.absorbedIds } });
  await recordAudit(tx, { ...by, action: 'contact.erased', target: { type: 'contact', id: contactId }, details: { ...erased } });
  return { id: contactId, object: 'contact', deleted: true, erased };
}
