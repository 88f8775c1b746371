import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvents, type NewEvent } from '../events/events.ts';
import type { Thread } from '../conversations/threading.ts';
import { conversationView, type ConversationView } from '../conversations/views.ts';
import { rfcIndex } from './email-ids.ts';
import { messageView, type MediaItem, type MessageRow, type MessageView } from './views.ts';
import { redactForStorage } from '../compliance/redaction-storage.ts';
import { recordMessageUsage } from '../platforms/usage.ts';

/**
 * The hot insert path (plain knex): one message row with its content encrypted under its own id,
 * then the events of the whole change, in the order a reader expects them.
 */
export interface NewMessage {
  direction: 'inbound' | 'outbound';
  channel: string;
  status: string;
  connectionId?: string | null;
  contactId: string;
  handleId: string | null;
  senderAddress: string | null;
  providerMessageId?: string | null;
  /** Email: the message's own Message-ID (normalized, without brackets). */
  rfcMessageId?: string | null;
  body?: string | null;
  subject?: string | null;
  media?: MediaItem[];
  metadata?: Record<string, unknown>;
  createdAt: Date;
}

export interface Recorded {
  message: MessageView;
  conversation: ConversationView;
}

export async function recordMessage(tx: TenantTx, thread: Thread, m: NewMessage): Promise<Recorded> {
  const id = uuidv7();
  // Safe mode (before_storage): the stored message never holds the sensitive numbers, not even encrypted.
  const content = await redactForStorage(tx, thread, m);
  const row: Omit<MessageRow, 'updated_at'> = {
    id,
    org_id: tx.orgId,
    conversation_id: thread.conversation.id,
    direction: m.direction,
    channel: m.channel,
    connection_id: m.connectionId ?? null,
    contact_id: m.contactId,
    handle_id: m.handleId,
    sender_address: m.senderAddress,
    provider_message_id: m.providerMessageId ?? null,
    rfc_message_id_index: m.rfcMessageId ? rfcIndex(tx.crypto, m.rfcMessageId) : null,
    rfc_message_id_enc: tx.crypto.encrypt(id, 'rfc_message_id', m.rfcMessageId ?? null),
    body_enc: tx.crypto.encrypt(id, 'body', content.body),
    subject_enc: tx.crypto.encrypt(id, 'subject', content.subject),
    media_enc: m.media?.length ? tx.crypto.encryptJson(id, 'media', m.media) : null,
    status: m.status,
    error_code: null,
    error_message_enc: null,
    metadata: content.metadata,
    created_at: m.createdAt,
  };
  const [stamps] = await tx.trx('messages').insert(row).returning(['created_at', 'updated_at']);
  await recordMessageUsage(tx, { direction: m.direction, channel: m.channel, connectionId: row.connection_id, body: content.body, stored: [row.body_enc, row.subject_enc, row.media_enc] });
  const message = messageView({ ...row, ...stamps }, tx.crypto);
  const conversation = conversationView(thread.conversation, thread.participants, tx.crypto);
  const conversationId = conversation.id;
  const events: NewEvent[] = [];
  if (thread.created) events.push({ type: 'conversation.created', conversationId, subjectId: conversationId, data: { conversation } });
  events.push({ type: 'message.created', conversationId, subjectId: id, data: { message } });
  if (!thread.created) {
    events.push({ type: 'conversation.updated', conversationId, subjectId: conversationId, data: { conversation, changes: thread.changes } });
  }
  await appendEvents(tx, events);
  return { message, conversation };
}

const NO_CONNECTION = '00000000-0000-0000-0000-000000000000';

/** The message a provider id names on a connection (the messages_provider_id unique index). */
export async function findByProviderId(
  tx: TenantTx,
  connectionId: string | null | undefined,
  providerMessageId: string,
  opts: { lock?: boolean } = {},
): Promise<MessageRow | undefined> {
  const q = tx.trx('messages')
    .where('org_id', tx.orgId)
    // The same expression as the unique index, so the index answers.
    .whereRaw(`coalesce(connection_id, '${NO_CONNECTION}'::uuid) = ?::uuid`, [connectionId ?? NO_CONNECTION])
    .where('provider_message_id', providerMessageId)
    .first();
  return opts.lock ? q.forUpdate() : q;
}
