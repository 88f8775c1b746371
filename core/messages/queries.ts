import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { findConversation } from '../conversations/threading.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page, type PageKey } from '../identity/pagination.ts';
import { messageView, type MessageRow, type MessageView } from './views.ts';

export async function getMessage(tx: TenantTx, id: string): Promise<MessageView> {
  const row: MessageRow | undefined = await tx.trx('messages').where({ id }).first();
  if (!row) throw new AppError('not_found', `No such message: ${id}.`);
  return messageView(row, tx.crypto);
}

/**
 * A conversation's messages, newest first, keyset-paginated over (created_at, id): one index
 * range of messages_conversation. A page with rows proves the conversation is the org's (RLS
 * shows only the org's messages, and a message references its conversation), so the conversation
 * is looked up only for an empty page: an unknown id is still a 404, without a round trip per page.
 */
export async function listMessages(
  tx: TenantTx,
  conversationId: string,
  opts: { cursor?: string; limit?: number } = {},
): Promise<Page<MessageView>> {
  const limit = opts.limit ?? 50;
  let after: PageKey | undefined;
  try {
    after = decodePageCursor(opts.cursor);
  } catch (err) {
    await findConversation(tx, conversationId, 'id'); // an unknown conversation answers 404 before a bad cursor's 400, as before
    throw err;
  }
  const q = tx.trx('messages').select('messages.*', pageKeyColumn(tx.trx, 'messages')).where({ conversation_id: conversationId });
  const rows: (MessageRow & { page_at: string })[] = await applyPage(q, 'messages', after, limit);
  if (!rows.length) await findConversation(tx, conversationId, 'id');
  const page = pageOf(rows, limit);
  return { data: page.rows.map((r) => messageView(r, tx.crypto)), nextCursor: page.nextCursor, hasMore: page.hasMore };
}
