import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { findConversation } from '../conversations/threading.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../identity/pagination.ts';
import { messageView, type MessageRow, type MessageView } from './views.ts';

export async function getMessage(tx: TenantTx, id: string): Promise<MessageView> {
  const row: MessageRow | undefined = await tx.trx('messages').where({ id }).first();
  if (!row) throw new AppError('not_found', `No such message: ${id}.`);
  return messageView(row, tx.crypto);
}

/** A conversation's messages, newest first, keyset-paginated over (created_at, id). */
export async function listMessages(
  tx: TenantTx,
  conversationId: string,
  opts: { cursor?: string; limit?: number } = {},
): Promise<Page<MessageView>> {
  await findConversation(tx, conversationId, 'id');
  const limit = opts.limit ?? 50;
  const after = decodePageCursor(opts.cursor);
  const q = tx.trx('messages').select('messages.*', pageKeyColumn(tx.trx, 'messages')).where({ conversation_id: conversationId });
  const page = pageOf<MessageRow & { page_at: string }>(await applyPage(q, 'messages', after, limit), limit);
  return { data: page.rows.map((r) => messageView(r, tx.crypto)), nextCursor: page.nextCursor, hasMore: page.hasMore };
}
