import type { TenantTx } from '../db/tenant.ts';
import { recordAudit, type NewAuditEntry } from '../audit/record.ts';
import { lockLiveContact } from '../identity/contacts.ts';
import { getContact, type ContactView, type HandleView, type LinkView } from '../identity/views.ts';
import { mergeView, type MergeView } from '../identity/merge.ts';
import { loadConversationView } from '../conversations/service.ts';
import type { ConversationView } from '../conversations/views.ts';
import { messageView, type MessageRow, type MessageView } from '../messages/views.ts';
import { footprint } from './footprint.ts';
import { consentsOf } from './consents.ts';

/**
 * GDPR access / portability (art. 15, 20): everything held about one person, decrypted, as one
 * JSON document — the contact, the contacts merged into it, handles, external links, the
 * conversations they are in, every message to or from them, their merges and, once the ledger
 * exists, their consents. The export itself is audited (contact.exported, with counts only).
 */
export interface ContactExport {
  object: 'contact_export';
  exportedAt: string;
  contact: Omit<ContactView, 'handles' | 'links' | 'object'>;
  absorbedContacts: Omit<ContactView, 'object'>[];
  handles: HandleView[];
  links: LinkView[];
  conversations: ConversationView[];
  messages: MessageView[];
  merges: MergeView[];
  consents?: Record<string, unknown>[];
}

const PAGE = 500;

async function messagesOf(tx: TenantTx, ids: string[]): Promise<MessageView[]> {
  const out: MessageView[] = [];
  for (let i = 0; i < ids.length; i += PAGE) {
    const rows: MessageRow[] = await tx.trx('messages').whereRaw('id = ANY(?::uuid[])', [ids.slice(i, i + PAGE)]).orderBy(['created_at', 'id']);
    out.push(...rows.map((r) => messageView(r, tx.crypto)));
  }
  return out;
}

export async function exportContact(tx: TenantTx, contactId: string, by: Pick<NewAuditEntry, 'actor' | 'context'>): Promise<ContactExport> {
  await lockLiveContact(tx, contactId);
  const fp = await footprint(tx, contactId);
  const { handles, links, object: _o, ...contact } = await getContact(tx, contactId);
  const absorbedContacts: Omit<ContactView, 'object'>[] = [];
  for (const id of fp.absorbedIds) {
    const { object: _a, ...absorbed } = await getContact(tx, id);
    absorbedContacts.push(absorbed);
  }
  const conversations: ConversationView[] = [];
  for (const id of fp.conversationIds) conversations.push(await loadConversationView(tx, id));
  const merges = (
    await tx.trx('contact_merges')
      .where((w) => w.whereRaw('survivor_id = ANY(?::uuid[])', [fp.contactIds]).orWhereRaw('merged_id = ANY(?::uuid[])', [fp.contactIds]))
      .orderBy(['created_at', 'id'])
  ).map(mergeView);
  const indexes: { value_index: Uint8Array }[] = await tx.pii('pii.contact_handles').select('value_index').whereRaw('contact_id = ANY(?::uuid[])', [fp.contactIds]);
  const consents = await consentsOf(tx, fp.contactIds, indexes.map((r) => Buffer.from(r.value_index)));
  const doc: ContactExport = {
    object: 'contact_export',
    exportedAt: new Date().toISOString(),
    contact,
    absorbedContacts,
    handles,
    links,
    conversations,
    messages: await messagesOf(tx, fp.messageIds),
    merges,
    ...(consents ? { consents } : {}),
  };
  const counts = {
    handles: handles.length,
    links: links.length,
    conversations: conversations.length,
    messages: doc.messages.length,
    merges: merges.length,
    absorbedContacts: absorbedContacts.length,
    ...(consents ? { consents: consents.length } : {}),
  };
  await recordAudit(tx, { ...by, action: 'contact.exported', target: { type: 'contact', id: contactId }, details: counts });
  return doc;
}
