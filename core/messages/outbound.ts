import type { TenantTx } from '../db/tenant.ts';
import { AppError, invalid } from '../errors.ts';
import { resolveContactId } from '../identity/contacts.ts';
import { checkChannel, handleKindsFor, needsHandle, normalizeAddress } from '../conversations/channels.ts';
import { findConversation, resolveThread } from '../conversations/threading.ts';
import type { ConversationModel } from '../conversations/models.ts';
import { ParticipantModel } from '../conversations/models.ts';
import { pickHandle, resolveParty, type Party, type ResolvedParty } from './parties.ts';
import { recordMessage, type Recorded } from './store.ts';
import type { MediaItem } from './views.ts';

/**
 * An outbound message enters as "queued": the relay hands its message.created event to the send
 * job, which picks a sender and a channel connector. It threads like an inbound one; without a
 * sender address it joins the contact's latest conversation on the channel from any address.
 */
export interface OutboundInput {
  /** Defaults to the conversation's channel when conversationId is given. */
  channel?: string | null;
  /** The recipient; defaults to the conversation's customer. */
  to?: Party | null;
  /** Our sender address (a number, an email address); the send job picks one when absent. */
  from?: { address: string } | null;
  connectionId?: string | null;
  body?: string | null;
  subject?: string | null;
  media?: MediaItem[];
  conversationId?: string | null;
  metadata?: Record<string, unknown>;
}

export async function createOutbound(tx: TenantTx, input: OutboundInput): Promise<Recorded> {
  const conversation = input.conversationId ? await findConversation(tx, input.conversationId) : null;
  const rawChannel = input.channel ?? conversation?.channel;
  if (!rawChannel) throw invalid('/channel', 'is required unless conversationId is given');
  const channel = checkChannel(rawChannel);
  const recipient = await recipientOf(tx, input, conversation, channel);
  const senderAddress = input.from?.address ? normalizeAddress(input.from.address) : conversation ? conversation.senderAddress : undefined;
  const at = new Date();
  const thread = await resolveThread(tx, {
    direction: 'outbound',
    channel,
    contactId: recipient.contactId,
    handleId: recipient.handleId,
    senderAddress,
    conversationId: input.conversationId,
    at,
    metadata: input.metadata,
    subject: input.subject,
  });
  return recordMessage(tx, thread, {
    direction: 'outbound',
    channel,
    status: 'queued',
    connectionId: input.connectionId,
    contactId: recipient.contactId,
    handleId: recipient.handleId,
    senderAddress: senderAddress ?? null,
    body: input.body,
    subject: input.subject,
    media: input.media,
    metadata: input.metadata,
    createdAt: at,
  });
}

async function recipientOf(tx: TenantTx, input: OutboundInput, conversation: ConversationModel | null, channel: string): Promise<ResolvedParty> {
  const kinds = handleKindsFor(channel);
  let recipient: ResolvedParty;
  if (input.to) {
    if ('handle' in input.to && needsHandle(channel) && !kinds.includes(input.to.handle.kind)) {
      throw unreachable('/to/handle/kind', `a ${input.to.handle.kind} handle cannot receive ${channel}; use ${kinds.join(' or ')}`);
    }
    recipient = await resolveParty(tx, input.to, channel, '/to');
  } else if (conversation?.contactId) {
    const contactId = await resolveContactId(tx, conversation.contactId, '/conversationId');
    // The handle the customer uses in this conversation, else any of theirs that reaches the channel.
    const participant = await ParticipantModel.query(tx.trx)
      .where({ conversation_id: conversation.id, contact_id: contactId, channel })
      .whereNotNull('handle_id')
      .first();
    recipient = { contactId, handleId: participant?.handleId ?? (await pickHandle(tx, contactId, channel)) };
  } else if (conversation) {
    throw unreachable('/to', 'the conversation has no customer; give "to"');
  } else {
    throw invalid('/to', 'is required unless conversationId is given');
  }
  if (!recipient.handleId && needsHandle(channel)) {
    throw unreachable('/to', `the contact has no ${kinds.join(' or ')} handle to reach on ${channel}`);
  }
  return recipient;
}

const unreachable = (field: string, reason: string) =>
  new AppError('unprocessable', `The message cannot be sent: ${reason}.`, { details: [{ field, reason }] });
