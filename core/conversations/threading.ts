import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { ConversationModel, ParticipantModel } from './models.ts';
import { reopenWindowHours } from './settings.ts';

/**
 * Which conversation a message belongs to, in order:
 *  1. an explicit conversationId (any status; a closed one is reopened);
 *  2. email headers: a message whose Message-ID is the In-Reply-To / one of the References;
 *  3. the latest non-closed conversation of the contact on the same channel and sender address
 *     whose last message is inside the org's reopen window;
 *  4. else a new conversation with the contact as its customer participant.
 * Closed conversations are never joined by 2 or 3.
 */
export interface ThreadRequest {
  direction: 'inbound' | 'outbound';
  channel: string;
  contactId: string;
  handleId: string | null;
  /** Our address (normalized). undefined = any: an outbound whose sender number is chosen later. */
  senderAddress: string | null | undefined;
  conversationId?: string | null;
  /** Where conversationId came from, for the 404's details. */
  conversationField?: string;
  /** Blind indexes of In-Reply-To and References, most relevant first. */
  rfcIndexes?: Buffer[];
  at: Date;
  /** Initial metadata and subject of a NEW conversation. */
  metadata?: Record<string, unknown>;
  subject?: string | null;
}

export interface Thread {
  conversation: ConversationModel;
  participants: ParticipantModel[];
  created: boolean;
  /** What joining changed on an existing conversation (always lastMessageAt; maybe status, participants). */
  changes: string[];
}

export async function resolveThread(tx: TenantTx, req: ThreadRequest): Promise<Thread> {
  if (req.conversationId) return join(tx, await findConversation(tx, req.conversationId, req.conversationField ?? '/conversationId'), req);
  const byHeaders = req.rfcIndexes?.length ? await byEmailHeaders(tx, req.rfcIndexes) : undefined;
  if (byHeaders) return join(tx, byHeaders, req);
  // Serializes threading per contact and channel, so two messages arriving together (an MMS
  // split into several webhooks) land in one new conversation instead of racing to create two.
  await tx.trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`thread|${tx.orgId}|${req.contactId}|${req.channel}`]);
  const recent = await byContact(tx, req);
  return recent ? join(tx, recent, req) : create(tx, req);
}

export async function findConversation(
  tx: TenantTx,
  id: string,
  field = '/conversationId',
  opts: { lock?: boolean } = {},
): Promise<ConversationModel> {
  const q = ConversationModel.query(tx.trx).findById(id);
  const c = await (opts.lock ? q.forUpdate() : q);
  if (!c) throw new AppError('not_found', `No such conversation: ${id}.`, { details: [{ field, reason: 'no such conversation' }] });
  return c;
}

async function byEmailHeaders(tx: TenantTx, indexes: Buffer[]): Promise<ConversationModel | undefined> {
  return ConversationModel.query(tx.trx)
    .select('conversations.*')
    .join('messages', 'messages.conversation_id', 'conversations.id')
    .where('messages.org_id', tx.orgId)
    .whereIn('messages.rfc_message_id_index', indexes)
    .whereNot('conversations.status', 'closed')
    .orderBy('messages.created_at', 'desc')
    .first();
}

async function byContact(tx: TenantTx, req: ThreadRequest): Promise<ConversationModel | undefined> {
  const since = new Date(req.at.getTime() - (await reopenWindowHours(tx)) * 3_600_000);
  const q = ConversationModel.query(tx.trx)
    .where({ org_id: tx.orgId, contact_id: req.contactId, channel: req.channel })
    .whereNot('status', 'closed')
    .where('last_message_at', '>=', since);
  if (req.senderAddress === null) q.whereNull('sender_address');
  else if (req.senderAddress !== undefined) q.where('sender_address', req.senderAddress);
  return q.orderBy('last_message_at', 'desc').first();
}

const customerOf = (tx: TenantTx, conversationId: string, req: ThreadRequest) => ({
  id: uuidv7(),
  orgId: tx.orgId,
  conversationId,
  contactId: req.contactId,
  userRef: null,
  role: 'customer' as const,
  channel: req.channel,
  handleId: req.handleId,
});

async function create(tx: TenantTx, req: ThreadRequest): Promise<Thread> {
  const id = uuidv7();
  const conversation = await ConversationModel.query(tx.trx)
    .insert({
      id,
      orgId: tx.orgId,
      channel: req.channel,
      status: 'open',
      contactId: req.contactId,
      senderAddress: req.senderAddress ?? null,
      subjectEnc: tx.crypto.encrypt(id, 'subject', req.subject ?? null),
      metadata: req.metadata ?? {},
      lastMessageAt: req.at,
    })
    .returning('*');
  const participant = await ParticipantModel.query(tx.trx).insert(customerOf(tx, id, req)).returning('*');
  return { conversation, participants: [participant], created: true, changes: [] };
}

async function join(tx: TenantTx, found: ConversationModel, req: ThreadRequest): Promise<Thread> {
  const changes = ['lastMessageAt'];
  const participants = await ParticipantModel.query(tx.trx).where({ conversation_id: found.id }).orderBy('created_at').orderBy('id');
  // A reply from someone new on the thread (an explicit id, a CC'd address) makes them a participant.
  if (!participants.some((p) => p.contactId === req.contactId)) {
    participants.push(await ParticipantModel.query(tx.trx).insert(customerOf(tx, found.id, req)).returning('*'));
    changes.push('participants');
  }
  // Only an explicit id reaches a closed conversation; a customer writing into a snoozed one wakes it.
  const reopen = found.status === 'closed' || (found.status === 'snoozed' && req.direction === 'inbound');
  if (reopen) changes.push('status');
  const [row] = await tx.trx('conversations')
    .where({ id: found.id })
    .update({
      last_message_at: tx.trx.raw('greatest(last_message_at, ?)', [req.at]),
      updated_at: tx.trx.fn.now(),
      ...(reopen ? { status: 'open' } : {}),
    })
    .returning('*');
  return { conversation: ConversationModel.fromDatabaseJson(row), participants, created: false, changes };
}
