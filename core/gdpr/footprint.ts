import type { TenantTx } from '../db/tenant.ts';

/**
 * Where one person's data sits: the live contact, the contacts merged into it (their handles,
 * links and messages moved to it at the merge, but their own name and attributes stayed on
 * their frozen rows), the conversations they are the customer of or take part in, and their
 * messages (received from or sent to them).
 */
export interface Footprint {
  contactId: string;
  /** Contacts merged into this one, at any depth. */
  absorbedIds: string[];
  /** contactId + absorbedIds. */
  contactIds: string[];
  /** Conversations whose customer the person is (their subject is about them). */
  ownConversationIds: string[];
  /** Own conversations plus the ones they take part in. */
  conversationIds: string[];
  messageIds: string[];
}

export async function footprint(tx: TenantTx, contactId: string): Promise<Footprint> {
  const { rows: absorbed } = await tx.pii.raw(
    `WITH RECURSIVE absorbed(id) AS (
       SELECT id FROM pii.contacts WHERE merged_into = ?::uuid
       UNION SELECT c.id FROM pii.contacts c JOIN absorbed a ON c.merged_into = a.id
     ) SELECT id FROM absorbed`,
    [contactId],
  );
  const absorbedIds: string[] = absorbed.map((r: { id: string }) => r.id);
  const contactIds = [contactId, ...absorbedIds];
  const own: { id: string }[] = await tx.trx('conversations').select('id').whereRaw('contact_id = ANY(?::uuid[])', [contactIds]).orderBy('created_at');
  const joined: { id: string }[] = await tx.trx('participants')
    .distinct('conversation_id as id')
    .whereRaw('contact_id = ANY(?::uuid[])', [contactIds]);
  const ownConversationIds = own.map((r) => r.id);
  const messages: { id: string }[] = await tx.trx('messages').select('id').whereRaw('contact_id = ANY(?::uuid[])', [contactIds]).orderBy(['created_at', 'id']);
  return {
    contactId,
    absorbedIds,
    contactIds,
    ownConversationIds,
    conversationIds: [...new Set([...ownConversationIds, ...joined.map((r) => r.id)])],
    messageIds: messages.map((r) => r.id),
  };
}
