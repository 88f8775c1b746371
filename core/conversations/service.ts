import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError, invalid } from '../errors.ts';
import { resolveContactId } from '../identity/contacts.ts';
import { ConversationModel, ParticipantModel, type ConversationStatus } from './models.ts';
import { findConversation } from './threading.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../identity/pagination.ts';
import { conversationView, type ConversationView } from './views.ts';
import { assertAssignable, normalizeTag, normalizeTags } from './assignment.ts';
import { lastMessages, type MessagePreview } from './previews.ts';

/**
 * Conversation reads and edits (objection models). Lists are ordered by creation, newest first,
 * with a keyset cursor over (created_at, id): creation never changes, so a full pass sees every
 * conversation exactly once even while new messages arrive. `order: 'last_activity'` orders by
 * last_message_at instead (an inbox): a conversation that gets a message during a pass moves to
 * the top, so a pass may miss or repeat it — live updates (realtime) cover that.
 */
export const LIST_ORDERS = ['created', 'last_activity'] as const;

export interface ListFilter {
  status?: ConversationStatus;
  channel?: string;
  contactId?: string;
  /** A user id, or 'none' for unassigned conversations. */
  assigneeId?: string;
  tag?: string;
  /** metadata[key]=value pairs, all of which must match. */
  metadata?: Record<string, string>;
  order?: (typeof LIST_ORDERS)[number];
  cursor?: string;
  limit?: number;
}

/** A list row: the conversation and its newest message (see previews.ts). */
export type ConversationListItem = ConversationView & { lastMessage: MessagePreview | null };

async function participantsOf(tx: TenantTx, conversationIds: string[]): Promise<Map<string, ParticipantModel[]>> {
  const byConversation = new Map<string, ParticipantModel[]>(conversationIds.map((id) => [id, []]));
  if (!conversationIds.length) return byConversation;
  const rows = await ParticipantModel.query(tx.trx).whereIn('conversation_id', conversationIds).orderBy('created_at').orderBy('id');
  for (const p of rows) byConversation.get(p.conversationId)?.push(p);
  return byConversation;
}

export async function loadConversationView(tx: TenantTx, id: string, field = '/conversationId'): Promise<ConversationView> {
  const c = await findConversation(tx, id, field);
  return conversationView(c, (await participantsOf(tx, [id])).get(id)!, tx.crypto);
}

/**
 * Query-string values arrive as strings; metadata may hold numbers and booleans too, so "3"
 * matches 3 and "true" matches true. Each alternative is a containment test the GIN index answers.
 */
function metadataAlternatives(key: string, value: string): string[] {
  const alts = [JSON.stringify({ [key]: value })];
  if (/^-?\d+(\.\d+)?$/.test(value) || value === 'true' || value === 'false') alts.push(`{${JSON.stringify(key)}:${value}}`);
  return alts;
}

export async function listConversations(tx: TenantTx, f: ListFilter, opts: { withBody: boolean }): Promise<Page<ConversationListItem>> {
  const limit = f.limit ?? 50;
  const after = decodePageCursor(f.cursor);
  const column = f.order === 'last_activity' ? 'last_message_at' : 'created_at';
  const q = ConversationModel.query(tx.trx).select('conversations.*', pageKeyColumn(tx.trx, 'conversations', column)).where('org_id', tx.orgId);
  // Containment (@>) cannot use an index under RLS (it is not LEAKPROOF): the first metadata key
  // and the tag are tested by sb_conversations_* functions, as the owner and scoped to this org,
  // so the GIN indexes answer (see the readpath_containment_under_rls migration). Further keys
  // filter the rows the first one found.
  const [first, ...more] = Object.entries(f.metadata ?? {});
  if (first) {
    const alts = metadataAlternatives(...first);
    q.from(tx.trx.raw(`(${alts.map(() => 'SELECT * FROM sb_conversations_with_metadata(?::jsonb)').join(' UNION ALL ')}) AS conversations`, alts));
  }
  if (f.status) q.where('status', f.status);
  if (f.channel) q.where('channel', f.channel);
  if (f.contactId) q.where('contact_id', f.contactId);
  if (f.assigneeId === 'none') q.whereNull('assignee_id');
  else if (f.assigneeId) q.where('assignee_id', f.assigneeId);
  if (f.tag) q.whereRaw('conversations.id IN (SELECT sb_conversations_tagged(?))', [normalizeTag(f.tag, '/tag')]);
  for (const [key, value] of more) {
    const alts = metadataAlternatives(key, value);
    q.where((w) => alts.forEach((json) => w.orWhereRaw('metadata @> ?::jsonb', [json])));
  }
  // Plain rows (toKnexQuery), so the page key keeps the snake_case name pageOf reads.
  const rows: (Record<string, unknown> & { id: string; page_at: string })[] = await applyPage(q.toKnexQuery(), 'conversations', after, limit, column);
  const page = pageOf(rows, limit);
  const models = page.rows.map((r) => ConversationModel.fromDatabaseJson(r));
  const ids = models.map((m) => m.id);
  const [participants, last] = [await participantsOf(tx, ids), await lastMessages(tx, ids, opts.withBody)];
  const data = models.map((m) => ({ ...conversationView(m, participants.get(m.id) ?? [], tx.crypto), lastMessage: last.get(m.id) ?? null }));
  return { data, nextCursor: page.nextCursor, hasMore: page.hasMore };
}

export interface ConversationPatch {
  status?: ConversationStatus;
  /** Merged into the existing metadata; a null value removes its key. */
  metadata?: Record<string, unknown>;
  subject?: string | null;
  /** An enabled owner/admin/agent of the org, or null to unassign. */
  assigneeId?: string | null;
  /** Replaces the tags (normalized: see assignment.ts). */
  tags?: string[];
  /** Adds to the tags under the row lock (the rules' tag action: concurrent rules lose no tag). */
  addTags?: string[];
}

/** The rule whose action made a change (depth = how many rules deep), stamped on the change's event so rules can stop loops. */
export interface ChangeCause {
  ruleId: string;
  depth: number;
}

export async function updateConversation(tx: TenantTx, id: string, patch: ConversationPatch, opts: { causedBy?: ChangeCause } = {}): Promise<ConversationView> {
  // Locked: two concurrent metadata merges must not lose each other's keys.
  const current = await findConversation(tx, id, 'id', { lock: true });
  const changes: string[] = [];
  // What the changed plain fields were before (metadata and subject excepted: the event carries the new conversation whole).
  const previous: Record<string, unknown> = {};
  const update: Partial<ConversationModel> = {};
  if (patch.status !== undefined && patch.status !== current.status) {
    update.status = patch.status;
    previous.status = current.status;
    changes.push('status');
  }
  if (patch.assigneeId !== undefined && patch.assigneeId !== current.assigneeId) {
    if (patch.assigneeId !== null) await assertAssignable(tx, patch.assigneeId);
    update.assigneeId = patch.assigneeId;
    previous.assigneeId = current.assigneeId;
    changes.push('assignee');
  }
  if (patch.tags !== undefined || patch.addTags !== undefined) {
    const tags = normalizeTags([...(patch.tags ?? current.tags ?? []), ...(patch.addTags ?? [])], patch.tags ? '/tags' : '/addTags');
    if (JSON.stringify(tags) !== JSON.stringify(current.tags ?? [])) {
      update.tags = tags;
      previous.tags = current.tags ?? [];
      changes.push('tags');
    }
  }
  if (patch.metadata !== undefined) {
    const merged: Record<string, unknown> = { ...current.metadata };
    for (const [k, v] of Object.entries(patch.metadata)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    if (JSON.stringify(merged) !== JSON.stringify(current.metadata)) {
      update.metadata = merged;
      changes.push('metadata');
    }
  }
  if (patch.subject !== undefined && patch.subject !== tx.crypto.decrypt(id, 'subject', current.subjectEnc)) {
    update.subjectEnc = tx.crypto.encrypt(id, 'subject', patch.subject);
    changes.push('subject');
  }
  if (changes.length) {
    await ConversationModel.query(tx.trx).findById(id).patch({ ...update, updatedAt: new Date() });
    return conversationChanged(tx, id, changes, opts.causedBy, previous);
  }
  return loadConversationView(tx, id);
}

/** A user leaves (disabled): their conversations go back to the unassigned queue, each with its event. */
export async function unassignUser(tx: TenantTx, userId: string): Promise<number> {
  const ids: { id: string }[] = await tx.trx('conversations').select('id').where({ assignee_id: userId });
  for (const { id } of ids) await updateConversation(tx, id, { assigneeId: null });
  return ids.length;
}

async function conversationChanged(tx: TenantTx, id: string, changes: string[], causedBy?: ChangeCause, previous?: Record<string, unknown>): Promise<ConversationView> {
  const conversation = await loadConversationView(tx, id);
  const data = { conversation, changes, ...(previous && Object.keys(previous).length ? { previous } : {}), ...(causedBy ? { causedBy } : {}) };
  await appendEvent(tx, { type: 'conversation.updated', conversationId: id, subjectId: id, data });
  return conversation;
}

export interface NewParticipant {
  contactId?: string | null;
  userRef?: string | null;
  role: ParticipantModel['role'];
  channel?: string | null;
  handleId?: string | null;
}

/** Adds a contact (followed through merges) or a user of the host app. */
export async function addParticipant(tx: TenantTx, conversationId: string, p: NewParticipant): Promise<ConversationView> {
  const conversation = await findConversation(tx, conversationId, 'id');
  if (!p.contactId === !p.userRef) throw invalid('/contactId', 'give exactly one of contactId and userRef');
  const contactId = p.contactId ? await resolveContactId(tx, p.contactId, '/contactId') : null;
  if (p.handleId) {
    if (!contactId) throw invalid('/handleId', 'only a contact participant has a handle');
    const handle = await tx.pii('pii.contact_handles').select('contact_id').where({ id: p.handleId }).first();
    if (!handle) throw new AppError('not_found', `No such handle: ${p.handleId}.`, { details: [{ field: '/handleId', reason: 'no such handle' }] });
    if (handle.contact_id !== contactId) throw invalid('/handleId', 'is not a handle of this contact');
  }
  const channel = p.channel ?? conversation.channel;
  const same = await ParticipantModel.query(tx.trx)
    .where({ conversation_id: conversationId, channel, role: p.role })
    .where(contactId ? { contact_id: contactId } : { user_ref: p.userRef })
    .first();
  if (same) throw new AppError('conflict', 'This participant is already in the conversation with that role and channel.', { details: { participantId: same.id } });
  await ParticipantModel.query(tx.trx).insert({
    id: uuidv7(),
    orgId: tx.orgId,
    conversationId,
    contactId,
    userRef: p.userRef ?? null,
    role: p.role,
    channel,
    handleId: p.handleId ?? null,
  });
  await touch(tx, conversationId);
  return conversationChanged(tx, conversationId, ['participants']);
}

export async function removeParticipant(tx: TenantTx, conversationId: string, participantId: string): Promise<ConversationView> {
  await findConversation(tx, conversationId, 'id');
  // returning(), not the affected count: knex-pglite answers a bare delete with a result object.
  const gone = await ParticipantModel.query(tx.trx).delete().where({ id: participantId, conversation_id: conversationId }).returning('id');
  if (!gone.length) throw new AppError('not_found', `No such participant in this conversation: ${participantId}.`);
  await touch(tx, conversationId);
  return conversationChanged(tx, conversationId, ['participants']);
}

const touch = (tx: TenantTx, id: string) => ConversationModel.query(tx.trx).findById(id).patch({ updatedAt: new Date() });
