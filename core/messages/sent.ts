import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { loadConversationView } from '../conversations/service.ts';
import { applyStatus } from './status.ts';
import { parseMessageIds, rfcIndex } from './email-ids.ts';
import type { MessageRow, MessageView } from './views.ts';
import { recordSentUsage } from '../platforms/usage.ts';

/**
 * A connector accepted an outbound message: the message records the connection and the
 * provider's id (status callbacks find it by them) and the sender it went from, then moves to
 * "sent". A conversation that had no sender address takes this one, so the customer's replies to
 * that number thread into it. Only a queued message is marked (a retried job finds it sent).
 */
export interface SentDetails {
  providerMessageId: string;
  connectionId: string;
  senderAddress?: string | null;
  /** A status the provider already reported in its answer beyond "sent" (e.g. in-app chat: delivered). */
  status?: string;
  at?: Date;
  /** Email: the Message-ID the connector gave the message; the customer's reply names it in In-Reply-To. */
  rfcMessageId?: string | null;
  /** The connection's connector id, when the caller has it (usage is counted per connector). */
  connector?: string;
  /**
   * The caller read the conversation's sender address in an earlier transaction and it was set:
   * it is only ever set once (where null), so there is nothing to thread and no UPDATE to make.
   */
  conversationHasSender?: boolean;
}

export async function markSent(tx: TenantTx, messageId: string, sent: SentDetails): Promise<{ changed: boolean; message?: MessageView }> {
  const row: MessageRow | undefined = await tx.trx('messages').where({ id: messageId }).forUpdate().first();
  if (!row || row.status !== 'queued') return { changed: false };
  const senderAddress = row.sender_address ?? sent.senderAddress ?? null;
  const rfcId = parseMessageIds(sent.rfcMessageId)[0];
  await recordSentUsage(tx, { channel: row.channel, connectionId: sent.connectionId, connector: sent.connector, body: tx.crypto.decrypt(row.id, 'body', row.body_enc) });
  if (senderAddress && !sent.conversationHasSender) {
    const threaded = await tx.trx('conversations')
      .where({ id: row.conversation_id })
      .whereNull('sender_address')
      .update({ sender_address: senderAddress, updated_at: tx.trx.fn.now() })
      .returning('id');
    if (threaded.length) {
      const conversation = await loadConversationView(tx, row.conversation_id);
      await appendEvent(tx, {
        type: 'conversation.updated',
        conversationId: row.conversation_id,
        subjectId: row.conversation_id,
        data: { conversation, changes: ['senderAddress'] },
      });
    }
  }
  // The provider's id, the connection and the sender go in the same UPDATE that moves the row (locked above) to "sent".
  const also = {
    provider_message_id: sent.providerMessageId,
    connection_id: sent.connectionId,
    sender_address: senderAddress,
    ...(rfcId ? { rfc_message_id_index: rfcIndex(tx.crypto, rfcId), rfc_message_id_enc: tx.crypto.encrypt(messageId, 'rfc_message_id', rfcId) } : {}),
  };
  const result = await applyStatus(tx, { locked: row }, 'sent', { at: sent.at, also });
  if (sent.status && sent.status !== 'sent' && sent.status !== 'queued') return applyStatus(tx, { messageId }, sent.status, { at: sent.at });
  return result;
}
