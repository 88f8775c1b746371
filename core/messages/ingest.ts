import type { TenantTx } from '../db/tenant.ts';
import { messagesIngested } from '../metrics.ts';
import { checkChannel, normalizeAddress } from '../conversations/channels.ts';
import { resolveThread } from '../conversations/threading.ts';
import { inSavepoint, isUniqueViolation } from '../identity/savepoint.ts';
import { loadConversationView } from '../conversations/service.ts';
import { resolveParty, type Party } from './parties.ts';
import { findByProviderId, recordMessage, type Recorded } from './store.ts';
import { emailThreadKeys, type EmailHeaders } from './email-ids.ts';
import { messageView, type MediaItem, type MessageRow } from './views.ts';

/**
 * The engine's one entry point for inbound messages, whatever the channel: identity →
 * conversation (threading) → message (encrypted) → events, all in the caller's transaction.
 * A provider id seen before on the connection changes nothing and reports the existing message.
 */
export interface InboundInput {
  channel: string;
  connectionId?: string | null;
  from: Party;
  /** Our address the message was sent to: the Twilio number, the inbound email address, the WhatsApp phone id. */
  to?: { address: string } | null;
  providerMessageId?: string | null;
  body?: string | null;
  subject?: string | null;
  media?: MediaItem[];
  email?: EmailHeaders;
  conversationId?: string | null;
  metadata?: Record<string, unknown>;
  receivedAt?: Date;
}

export interface IngestResult extends Recorded {
  duplicate: boolean;
}

export async function ingestInbound(tx: TenantTx, input: InboundInput): Promise<IngestResult> {
  const channel = checkChannel(input.channel);
  const providerId = input.providerMessageId || null;
  if (!providerId) return write(tx, channel, input);
  const seen = await findByProviderId(tx, input.connectionId, providerId);
  if (seen) return duplicateOf(tx, seen);
  try {
    // A savepoint: when a concurrent delivery of the same message wins the unique index, only
    // this attempt is undone and the transaction goes on to report the winner.
    return await inSavepoint(tx, (inner) => write(inner, channel, input));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await findByProviderId(tx, input.connectionId, providerId);
    if (!winner) throw err;
    return duplicateOf(tx, winner);
  }
}

async function write(tx: TenantTx, channel: string, input: InboundInput): Promise<IngestResult> {
  const now = new Date();
  // A provider's clock ahead of ours must not keep a conversation inside its reopen window longer.
  const at = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
  const from = await resolveParty(tx, input.from, channel, '/from');
  const senderAddress = normalizeAddress(input.to?.address);
  const keys = emailThreadKeys(tx.crypto, input.email);
  const thread = await resolveThread(tx, {
    direction: 'inbound',
    channel,
    contactId: from.contactId,
    handleId: from.handleId,
    senderAddress,
    conversationId: input.conversationId,
    rfcIndexes: keys.thread,
    at,
    metadata: input.metadata,
    subject: input.subject,
  });
  const recorded = await recordMessage(tx, thread, {
    direction: 'inbound',
    channel,
    status: 'received',
    connectionId: input.connectionId,
    contactId: from.contactId,
    handleId: from.handleId,
    senderAddress,
    providerMessageId: input.providerMessageId || null,
    rfcMessageId: keys.own,
    body: input.body,
    subject: input.subject,
    media: input.media,
    metadata: input.metadata,
    createdAt: at,
  });
  // Counted when written: a transaction that later rolls back (rare) over-counts by one.
  messagesIngested.inc({ channel });
  return { ...recorded, duplicate: false };
}

async function duplicateOf(tx: TenantTx, row: MessageRow): Promise<IngestResult> {
  return { message: messageView(row, tx.crypto), conversation: await loadConversationView(tx, row.conversation_id), duplicate: true };
}
