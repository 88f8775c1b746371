import { effectiveBranding } from '../platforms/branding.ts';
import type { OutboundMessage, Registry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { needsHandle } from '../conversations/channels.ts';
import { receiveUrl } from '../connections/model.ts';
import { runtimeOf, type ConnectionRuntime } from '../connections/runtime.ts';
import { messageView, type MessageRow } from '../messages/views.ts';
import { pickConnection, pickSender } from './select.ts';
import { templateOf } from './template.ts';
import { preflight, purposeOf, type Decision } from '../compliance/preflight.ts';
import { readHandle, type StoredHandle } from '../compliance/consent.ts';

/**
 * Everything a send needs, read and decrypted in one short tenant transaction; the provider is
 * called after it commits. null: nothing to do (the message is no longer queued — the job ran
 * before, or compliance blocked it — or it is an in-app message no connector carries).
 */
export type SendPlan =
  | {
      kind: 'send';
      rt: ConnectionRuntime;
      message: OutboundMessage;
      sender?: { id: string; messagesPerSecond: number };
      /** The conversation already had a sender address when the plan read it (markSent: nothing to thread). */
      conversationHasSender: boolean;
    }
  | { kind: 'fail'; errorCode: string; errorMessage: string }
  /** The compliance preflight said no (blocked) or not yet (quiet hours: deferred). */
  | { kind: 'refuse'; decision: Decision; channel: string; connector: string };

export async function planSend(tx: TenantTx, connectors: Registry, publicUrl: string, messageId: string): Promise<SendPlan | null> {
  // The conversation's sender address comes with the message (one round trip, not two).
  const found: (MessageRow & { template_enc?: Buffer | null; conversation_sender_address: string | null }) | undefined = await tx.trx('messages')
    .leftJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select('messages.*', 'conversations.sender_address as conversation_sender_address')
    .where('messages.id', messageId)
    .first();
  if (!found || found.direction !== 'outbound' || found.status !== 'queued') return null;
  const { conversation_sender_address: conversationSender, ...row } = found;
  const picked = await pickConnection(tx, connectors, { channel: row.channel, connectionId: row.connection_id });
  if (!picked) {
    // Chat reaches the contact in-app (realtime, widget); it needs no provider.
    if (!needsHandle(row.channel)) return null;
    return { kind: 'fail', errorCode: 'no_connection', errorMessage: `No active connection sends ${row.channel} messages for this org.` };
  }
  const address: string | null = row.sender_address ?? conversationSender ?? null;
  const sender = await pickSender(tx, picked.row.id, row.channel, address);
  // Read once: the consent check keys on it and the provider gets its value.
  const handle = row.handle_id ? await readHandle(tx, row.handle_id) : undefined;
  // Consent, settings and senders may have changed since the message was requested: decide again.
  const decision = await preflight(tx, {
    messageId: row.id,
    channel: row.channel,
    purpose: purposeOf(row.metadata),
    handleId: row.handle_id,
    ...(handle ? { handle } : {}),
    contactId: row.contact_id,
    metadata: row.metadata ?? {},
    connection: picked,
    sender: sender ?? null,
  });
  if (!decision.allow) return { kind: 'refuse', decision, channel: row.channel, connector: picked.def.id };
  // In-app channels (chat) may have no handle: the contact itself is the address.
  const to = recipientOf(tx, handle) ?? (!needsHandle(row.channel) && row.contact_id ? { kind: 'contact', value: row.contact_id } : null);
  if (!to) return { kind: 'fail', errorCode: 'no_recipient', errorMessage: `The contact has no handle to reach on ${row.channel}.` };
  const view = messageView(row, tx.crypto);
  const template = templateOf(tx, row);
  const from = address ?? sender?.address;
  const message: OutboundMessage = {
    messageId: row.id,
    channel: row.channel,
    to,
    ...(from ? { from: { address: from } } : {}),
    ...(view.body !== null ? { body: view.body } : {}),
    ...(view.subject !== null ? { subject: view.subject } : {}),
    ...(view.media.length ? { media: view.media.map((m) => ({ url: m.url, ...(m.contentType ? { contentType: m.contentType } : {}) })) } : {}),
    ...(template ? { template } : {}),
    ...(row.channel === 'email' ? await replyHeaders(tx, row) : {}),
    // White-label: the org's (or its platform's) email sender name; asked for email only, the one channel that shows it.
    ...(row.channel === 'email' ? emailBrandingOf(await effectiveBranding(tx.trx, tx.orgId)) : {}),
    statusCallbackUrl: receiveUrl(publicUrl, picked.row.id),
    metadata: view.metadata,
  };
  return {
    kind: 'send',
    conversationHasSender: conversationSender !== null,
    rt: runtimeOf(tx, connectors, picked.row),
    message,
    ...(sender ? { sender: { id: sender.id, messagesPerSecond: Number(sender.messages_per_second) } } : {}),
  };
}

/** White-label email: the From name, and the From domain when the branding names one. */
const emailBrandingOf = (b: { emailFromName: string; emailFromDomain: string | null }) => ({
  senderName: b.emailFromName,
  ...(b.emailFromDomain ? { senderDomain: b.emailFromDomain } : {}),
});

/**
 * Email replies carry In-Reply-To (the newest earlier message with a Message-ID) and References
 * (the thread's ids, oldest first), so the customer's mail client threads them.
 */
const MAX_REFERENCES = 20;

async function replyHeaders(tx: TenantTx, row: MessageRow): Promise<Pick<OutboundMessage, 'email'>> {
  const earlier = await tx.trx('messages')
    .select('id', 'rfc_message_id_enc')
    .where({ conversation_id: row.conversation_id })
    .whereNot({ id: row.id })
    .whereNotNull('rfc_message_id_enc')
    .where('created_at', '<=', row.created_at)
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(MAX_REFERENCES);
  const ids = earlier.map((m: { id: string; rfc_message_id_enc: Buffer }) => tx.crypto.decrypt(m.id, 'rfc_message_id', m.rfc_message_id_enc)!).map((id: string) => `<${id}>`);
  if (!ids.length) return {};
  return { email: { inReplyTo: ids[0], references: ids.reverse() } };
}

function recipientOf(tx: TenantTx, handle: StoredHandle | undefined): OutboundMessage['to'] | null {
  if (!handle) return null;
  return { kind: handle.kind, value: tx.crypto.decrypt(handle.id, 'value', handle.value_enc)! };
}
