import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError, invalid } from '../errors.ts';
import { findByProviderId } from './store.ts';
import { messageView, type MessageRow, type MessageView } from './views.ts';

/**
 * Message statuses only move forward. Providers deliver callbacks out of order (a "sent" can
 * arrive after "delivered"), so a status whose rank is not above the current one is ignored.
 * This table is the only place the order is written down.
 */
export const MESSAGE_STATUSES = ['received', 'queued', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'blocked'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const RANK: Record<MessageStatus, number> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  undelivered: 2,
  failed: 2,
  // An inbound message is where a delivered outbound one is: only "read" moves it on.
  received: 2,
  read: 3,
  // Compliance stops a message before it leaves, so "blocked" only follows "queued" (and ends it).
  blocked: 3,
};

export function canMove(from: string, to: MessageStatus): boolean {
  if (to === 'blocked') return from === 'queued';
  const current = RANK[from as MessageStatus];
  return current === undefined || RANK[to] > current;
}

/** `locked`: the row, already read FOR UPDATE by the caller in this transaction (no second read). */
export type MessageRef = { messageId: string } | { connectionId: string | null; providerMessageId: string } | { locked: MessageRow };

export interface StatusDetails {
  errorCode?: string | null;
  errorMessage?: string | null;
  /** When the provider says the change happened. */
  at?: Date;
  /** Other columns the same UPDATE sets (markSent: the provider's id, the connection, the sender). */
  also?: Record<string, unknown>;
}

export async function applyStatus(
  tx: TenantTx,
  ref: MessageRef,
  status: string,
  details: StatusDetails = {},
): Promise<{ changed: boolean; message: MessageView }> {
  if (!(MESSAGE_STATUSES as readonly string[]).includes(status)) {
    throw invalid('status', `must be one of ${MESSAGE_STATUSES.join(', ')}`);
  }
  const to = status as MessageStatus;
  // Locked, so two callbacks for one message decide one after the other.
  const row: MessageRow | undefined =
    'locked' in ref
      ? ref.locked
      : 'messageId' in ref
        ? await tx.trx('messages').where({ id: ref.messageId }).forUpdate().first()
        : await findByProviderId(tx, ref.connectionId, ref.providerMessageId, { lock: true });
  if (!row) throw new AppError('not_found', 'No such message.');
  if (!canMove(row.status, to)) return { changed: false, message: messageView(row, tx.crypto) };
  const errorCode = details.errorCode ?? null;
  const [updated] = await tx.trx('messages')
    .where({ id: row.id })
    .update({
      ...details.also,
      status: to,
      error_code: errorCode,
      error_message_enc: tx.crypto.encrypt(row.id, 'error_message', details.errorMessage ?? null),
      updated_at: tx.trx.fn.now(),
    })
    .returning('*');
  await appendEvent(tx, {
    type: 'message.status_changed',
    conversationId: row.conversation_id,
    subjectId: row.id,
    data: {
      messageId: row.id,
      from: row.status,
      to,
      errorCode,
      errorMessage: details.errorMessage ?? null,
      at: (details.at ?? new Date()).toISOString(),
    },
  });
  return { changed: true, message: messageView(updated, tx.crypto) };
}
