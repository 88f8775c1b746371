import { randomUUID } from 'node:crypto';
import type { CrmLogEntry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { redactForEgress } from '../compliance/redaction.ts';
import { orgSettings } from '../org-settings.ts';
import { getContact } from '../identity/views.ts';
import type { MessageRow } from '../messages/views.ts';
import { integrationContext, withAuthRetry } from '../connections/oauth.ts';
import { createLogger } from '../logger.ts';
import { RetryLater } from '../queue/queue.ts';
import { crmRuntime } from './connection.ts';
import { linkContact, type CrmEngine } from './link.ts';

/**
 * Logs a conversation on the contact's CRM record, incrementally:
 *   1. (transaction) read the position of the last logged message for (connection, conversation)
 *      from crm_log_state and the messages after it, oldest first, at most LOG_BATCH; bodies are
 *      redacted for egress (safe mode) here, before they leave;
 *   2. (no transaction) the provider call;
 *   3. (transaction) record each logged message's provider id in crm_logged_messages and advance
 *      crm_log_state over the logged prefix — both in one commit.
 * A replayed or retried job starts from the stored position and logs nothing twice; messages the
 * provider did not log stay after the position and are retried by the next run. Two runs for the
 * same conversation at once would both send the same messages, so step 1 takes a lease on
 * (connection, conversation) and a second run meanwhile is told to retry later (RetryLater: the
 * queue runs it again once the first is done); the lease expires if its holder dies mid-call.
 */
export const LOG_BATCH = 200;
/** Longer than a provider call (the SDKs time out well before), short enough to free a dead holder's lease soon. */
export const LEASE_MS = 60_000;
/**
 * A second run retries when the lease ends, at most this long from now: a live holder is usually
 * done in a second or two, and the job's few attempts (queue default 5) still outlast a dead
 * holder's whole lease.
 */
export const BUSY_RETRY_MAX_MS = 15_000;
const log = createLogger('crm');

export interface LogResult {
  logged: number;
  /** true: more messages are waiting (run again). */
  hasMore: boolean;
  recordId: string | null;
}

interface Pending {
  recordId: string;
  recordData: Record<string, unknown>;
  entries: CrmLogEntry[];
  hasMore: boolean;
}

export async function contactOf(tx: TenantTx, conversationId: string): Promise<string> {
  const p = await tx.trx('participants').where({ conversation_id: conversationId }).whereNotNull('contact_id').orderBy('created_at').first();
  if (!p) {
    if (!(await tx.trx('conversations').where({ id: conversationId }).first())) throw new AppError('not_found', `No such conversation: ${conversationId}.`);
    throw new AppError('unprocessable', 'The conversation has no contact to log it on.');
  }
  return p.contact_id as string;
}

/**
 * Takes the lease unless a live one is held: the upsert only overwrites an expired lease, and on
 * PostgreSQL a concurrent taker waits for the first one's commit, then sees its live lease.
 */
async function takeLease(tx: TenantTx, connectionId: string, conversationId: string, holder: string): Promise<void> {
  const { rows } = await tx.trx.raw(
    `INSERT INTO crm_log_leases (org_id, connection_id, conversation_id, holder, expires_at)
     VALUES (?, ?, ?, ?, now() + make_interval(secs => ?))
     ON CONFLICT (connection_id, conversation_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE crm_log_leases.expires_at < now()
     RETURNING holder`,
    [tx.orgId, connectionId, conversationId, holder, LEASE_MS / 1000],
  );
  if (rows.length) return;
  const { rows: held } = await tx.trx.raw(
    `SELECT greatest(0, extract(epoch FROM expires_at - now()) * 1000)::int AS ms FROM crm_log_leases WHERE connection_id = ? AND conversation_id = ?`,
    [connectionId, conversationId],
  );
  const delay = Math.min(Math.max(Number(held[0]?.ms ?? 0), 1_000), BUSY_RETRY_MAX_MS);
  throw new RetryLater(delay, `conversation ${conversationId} is being logged to connection ${connectionId} by another run`);
}

async function dropLease(tx: TenantTx, connectionId: string, conversationId: string, holder: string): Promise<void> {
  await tx.trx('crm_log_leases').where({ connection_id: connectionId, conversation_id: conversationId, holder }).delete().returning('holder');
}

async function pending(tx: TenantTx, system: string, connectionId: string, conversationId: string, contactId: string): Promise<Pending | { unlinked: true }> {
  const contact = await getContact(tx, contactId);
  const link = contact.links.find((l) => l.system === system);
  if (!link) return { unlinked: true };
  const state = await tx.trx('crm_log_state').where({ connection_id: connectionId, conversation_id: conversationId }).first();
  const q = tx.trx<MessageRow>('messages')
    .where({ conversation_id: conversationId })
    .whereNotExists(tx.trx('crm_logged_messages').where({ connection_id: connectionId }).whereRaw('crm_logged_messages.message_id = messages.id'))
    .orderBy('created_at')
    .orderBy('id')
    .limit(LOG_BATCH + 1);
  if (state) q.whereRaw('(created_at, id) > (?, ?)', [state.last_message_at, state.last_message_id]);
  const rows: MessageRow[] = await q;
  const settings = await orgSettings(tx.trx, tx.orgId);
  const handles = new Map(contact.handles.map((h) => [h.id, h.value]));
  const entries = rows.slice(0, LOG_BATCH).map((r): CrmLogEntry => ({
    messageId: r.id,
    conversationId,
    direction: r.direction,
    channel: r.channel,
    body: redactForEgress(tx.crypto.decrypt(r.id, 'body', r.body_enc), settings.safeMode),
    subject: redactForEgress(tx.crypto.decrypt(r.id, 'subject', r.subject_enc), settings.safeMode),
    at: new Date(r.created_at).toISOString(),
    ours: r.sender_address,
    theirs: (r.handle_id && handles.get(r.handle_id)) ?? null,
  }));
  return { recordId: link.externalId, recordData: link.data, entries, hasMore: rows.length > LOG_BATCH };
}

async function record(tx: TenantTx, connectionId: string, conversationId: string, entries: CrmLogEntry[], logged: { messageId: string; externalId: string }[]): Promise<number> {
  const byId = new Map(logged.map((l) => [l.messageId, l.externalId]));
  // The position only moves over the prefix the provider logged: a gap is retried next run.
  const prefix: CrmLogEntry[] = [];
  for (const e of entries) {
    if (!byId.has(e.messageId)) break;
    prefix.push(e);
  }
  const rows = entries.filter((e) => byId.has(e.messageId)).map((e) => ({ org_id: tx.orgId, connection_id: connectionId, message_id: e.messageId, external_id: byId.get(e.messageId)! }));
  if (rows.length) await tx.trx('crm_logged_messages').insert(rows).onConflict(['connection_id', 'message_id']).ignore();
  const last = prefix.at(-1);
  if (last) {
    // The message's own created_at (microseconds), not the ISO string's milliseconds.
    const position = { last_message_at: tx.trx.raw('(SELECT created_at FROM messages WHERE id = ?)', [last.messageId]), last_message_id: last.messageId, updated_at: tx.trx.fn.now() };
    await tx.trx('crm_log_state')
      .insert({ org_id: tx.orgId, connection_id: connectionId, conversation_id: conversationId, ...position })
      .onConflict(['connection_id', 'conversation_id'])
      .merge(position);
  }
  return rows.length;
}

export async function logConversation(engine: CrmEngine, orgId: string, input: { conversationId: string; connectionId: string }): Promise<LogResult> {
  const holder = randomUUID();
  const load = (lease: boolean) =>
    engine.tenant(orgId, async (tx) => {
      const rt = await crmRuntime(tx, engine.connectors, input.connectionId, 'crm.log');
      const contactId = await contactOf(tx, input.conversationId);
      if (lease) await takeLease(tx, input.connectionId, input.conversationId, holder);
      return { rt, contactId, work: await pending(tx, rt.def.id, input.connectionId, input.conversationId, contactId) };
    });
  let { rt, contactId, work } = await load(true);
  try {
    if ('unlinked' in work) {
      // Logging needs a record to log on: the contact is linked first (found or created).
      await linkContact(engine, orgId, { contactId, connectionId: input.connectionId });
      ({ rt, work } = await load(false));
      if ('unlinked' in work) throw new AppError('conflict', 'The contact could not be linked.');
    }
    // A const copy: closures below keep the narrowing (no longer the unlinked case) that a let loses.
    const batch = work;
    if (!batch.entries.length) return { logged: 0, hasMore: false, recordId: batch.recordId };
    const ctx = await integrationContext(engine, orgId, rt);
    const { logged } = await withAuthRetry(ctx, () => rt.crm.logMessages!({ record: { externalId: batch.recordId, data: batch.recordData }, entries: batch.entries }, ctx));
    const count = await engine.tenant(orgId, async (tx) => {
      const n = await record(tx, input.connectionId, input.conversationId, batch.entries, logged);
      await dropLease(tx, input.connectionId, input.conversationId, holder);
      return n;
    });
    log.info({ orgId, connectionId: input.connectionId, conversationId: input.conversationId, logged: count }, 'conversation logged to CRM');
    return { logged: count, hasMore: batch.hasMore || count < batch.entries.length, recordId: batch.recordId };
  } finally {
    // Idempotent after the record's commit; on a failure it lets the retry (or another run) go on at once.
    await engine.tenant(orgId, (tx) => dropLease(tx, input.connectionId, input.conversationId, holder)).catch((err) => log.warn({ err, orgId }, 'could not drop the CRM log lease (it expires)'));
  }
}
