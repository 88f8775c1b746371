import type { TenantTx } from '../db/tenant.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { listMessages } from '../messages/queries.ts';
import { visitorMessageView, type VisitorMessage } from './views.ts';
import { ensureVisitorContact, visitorContactId } from './visitors.ts';

/**
 * A visitor's conversation on one web chat connection: channel "chat", the visitor as the
 * customer, and the connection id as our address (so two sites of one org keep separate threads,
 * and an agent's reply in the thread goes out on the same connection). Everything a session can
 * reach is found from its own contact and connection, never from an id the visitor sends.
 */
export interface SessionRef {
  /** The visitor's app_user handle value. */
  visitor: string;
  connectionId: string;
}

export async function visitorConversationId(tx: TenantTx, s: SessionRef): Promise<string | null> {
  const contactId = await visitorContactId(tx, s.visitor);
  if (!contactId) return null;
  const row = await tx.trx('conversations')
    .where({ contact_id: contactId, channel: 'chat', sender_address: s.connectionId })
    .orderBy('last_message_at', 'desc')
    .orderBy('id', 'desc')
    .first('id');
  return row?.id ?? null;
}

/**
 * The visitor writes: an inbound chat message through the engine's one ingest path. A client
 * message id makes retries safe; it is scoped to the visitor, so one visitor's id can never
 * return another's message as a "duplicate".
 */
export async function postVisitorMessage(
  tx: TenantTx,
  s: SessionRef,
  input: { body: string; clientMessageId?: string; metadata?: Record<string, string> },
): Promise<{ message: VisitorMessage; conversationId: string; duplicate: boolean }> {
  const contactId = await ensureVisitorContact(tx, s.visitor);
  const r = await ingestInbound(tx, {
    channel: 'chat',
    connectionId: s.connectionId,
    from: { contactId },
    to: { address: s.connectionId },
    providerMessageId: input.clientMessageId ? `widget:${contactId}:${input.clientMessageId}` : null,
    body: input.body,
    // The page's segment (unit, job…): the metadata of a new conversation, and kept on each message.
    ...(input.metadata && Object.keys(input.metadata).length ? { metadata: input.metadata } : {}),
  });
  return { message: visitorMessageView(r.message), conversationId: r.message.conversationId, duplicate: r.duplicate };
}

export interface VisitorPage {
  conversationId: string | null;
  data: VisitorMessage[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** The visitor's latest conversation, newest message first. */
export async function listVisitorMessages(tx: TenantTx, s: SessionRef, opts: { cursor?: string; limit?: number }): Promise<VisitorPage> {
  const conversationId = await visitorConversationId(tx, s);
  if (!conversationId) return { conversationId: null, data: [], nextCursor: null, hasMore: false };
  const page = await listMessages(tx, conversationId, opts);
  return { conversationId, data: page.data.map(visitorMessageView), nextCursor: page.nextCursor, hasMore: page.hasMore };
}
