import type { Knex } from 'knex';
import type { TenantTx } from '../db/tenant.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/record.ts';
import { orgSettings } from '../org-settings.ts';
import { heldSetsSql } from './legal-holds-sql.ts';
import { CLEAR_CONTENT_SQL } from '../messages/content.ts';
import { RETENTION_CHANNELS, retentionDays, type RetentionSettings } from './retention-settings.ts';

/**
 * One bounded step of the retention purge for one org, inside the caller's tenant transaction:
 *  1. messages whose channel window has passed, and that no legal hold protects, lose their
 *     content (MESSAGE_CONTENT_COLUMNS, the same as erasure; metadata, status and ids stay) and
 *     get content_purged_at;
 *  2. the events about those messages are rewritten without the content fields, so /v1/sync,
 *     WebSocket resumes and webhook replays stop carrying it;
 *  3. AI enrichments of those messages and of their conversations are deleted (events too);
 *     a conversation whose messages are all purged loses its subject, in its row and its events;
 *  4. raw_inbound archive rows (whole provider requests) past the shortest window whose messages
 *     are all purged are deleted, and so is any past the archive's own window (rawInbound, 30
 *     days unless set) that no legal hold protects.
 * Several workers may run this at once: a per-org transaction-level advisory try-lock lets one
 * of them work on an org at a time (the others skip it this tick), and each step only selects
 * rows not yet purged, so running it again changes nothing.
 */
export interface PurgeCounts {
  messages: number;
  events: number;
  conversations: number;
  rawInbound: number;
}

export interface PurgeStep {
  counts: PurgeCounts;
  /** A step hit its batch limit: there is more to purge now. */
  more: boolean;
}

// `enrichment`: what AI made of the content (entities, summaries, suggested replies quote it).
const CONTENT_DEFAULTS: Record<string, unknown> = { body: null, subject: null, media: [], errorMessage: null, enrichment: null };

function withoutContent(o: Record<string, unknown>): Record<string, unknown> {
  const out = { ...o };
  for (const [k, v] of Object.entries(CONTENT_DEFAULTS)) if (k in out) out[k] = v;
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Message events (message.created {message}, message.status_changed {errorMessage} …) without content. */
export function stripMessageEvent(data: Record<string, unknown>, purgedAt: string): Record<string, unknown> {
  const out = withoutContent(data);
  if (isObject(data.message)) out.message = { ...withoutContent(data.message), contentPurgedAt: purgedAt };
  return out;
}

function stripConversationEvent(data: Record<string, unknown>): Record<string, unknown> {
  return isObject(data.conversation) ? { ...data, conversation: { ...data.conversation, subject: null } } : data;
}

const stripEnrichment = (data: Record<string, unknown>) => ('enrichment' in data ? { ...data, enrichment: null } : data);

/** SQL for "this message's window has passed" (NULL days = keep forever = never true). */
function expiredSql(settings: RetentionSettings): { sql: string; params: (number | null)[] } {
  const whens = RETENTION_CHANNELS.map((c) => `WHEN m.channel IN (${c === 'sms' ? `'sms', 'mms'` : `'${c}'`}) THEN ?::int`);
  return {
    sql: `m.created_at < now() - make_interval(days => CASE ${whens.join(' ')} ELSE ?::int END)`,
    params: [...RETENTION_CHANNELS.map((c) => retentionDays(settings, c)), settings.default.days],
  };
}

/** The shortest window the org has: raw archive rows cannot be told apart by channel. */
function shortestDays(settings: RetentionSettings): number | null {
  const all = [settings.default.days, ...Object.values(settings.channels ?? {}).map((w) => w?.days ?? null)].filter((d): d is number => d !== null);
  return all.length ? Math.min(...all) : null;
}

/** Rewrites the events about these subjects whose type is LIKE `types` ('message.%', 'conversation.enriched'). */
async function rewriteEvents(
  tx: TenantTx,
  subjectIds: string[],
  types: string,
  rewrite: (data: Record<string, unknown>) => Record<string, unknown>,
): Promise<number> {
  if (!subjectIds.length) return 0;
  const rows: { id: string; data_enc: Uint8Array }[] = await tx.trx('events')
    .select('id', 'data_enc')
    .where('org_id', tx.orgId)
    .whereIn('subject_id', subjectIds)
    .where('type', 'like', types);
  for (const r of rows) {
    const data = tx.crypto.decryptJson<Record<string, unknown>>(r.id, 'data', Buffer.from(r.data_enc)) ?? {};
    await tx.trx('events').where({ id: r.id }).update({ data_enc: tx.crypto.encryptJson(r.id, 'data', rewrite(data)) }).returning('id');
  }
  return rows.length;
}

async function purgeMessages(tx: TenantTx, settings: RetentionSettings, limit: number): Promise<{ id: string; conversation_id: string; purged_at: Date }[]> {
  const expired = expiredSql(settings);
  const { rows } = await tx.trx.raw(
    `WITH RECURSIVE ${heldSetsSql},
    batch AS (
      SELECT m.id FROM messages m
      WHERE m.org_id = sb_org() AND m.content_purged_at IS NULL AND ${expired.sql}
        AND NOT EXISTS (SELECT 1 FROM held_conversations h WHERE h.id = m.conversation_id)
        AND NOT EXISTS (SELECT 1 FROM held_contacts h WHERE h.id = m.contact_id)
      ORDER BY m.created_at
      LIMIT ?
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE messages SET ${CLEAR_CONTENT_SQL}, content_purged_at = now(), updated_at = now()
    FROM batch WHERE messages.id = batch.id
    RETURNING messages.id, messages.conversation_id, messages.content_purged_at AS purged_at`,
    [...expired.params, limit],
  );
  return rows;
}

/**
 * AI enrichments quote and summarize content: those of the purged messages and of their
 * conversations (a summary spans the purged messages) are deleted, and their events lose them.
 */
async function forgetEnrichments(tx: TenantTx, messageIds: string[], conversationIds: string[]): Promise<number> {
  if (!messageIds.length) return 0;
  await tx.trx.raw(
    `DELETE FROM ai_enrichments WHERE org_id = sb_org()
       AND ((subject_type = 'message' AND subject_id = ANY(?::uuid[])) OR (subject_type = 'conversation' AND subject_id = ANY(?::uuid[])))`,
    [messageIds, conversationIds],
  );
  return rewriteEvents(tx, conversationIds, 'conversation.enriched', stripEnrichment);
}

async function purgeConversationSubjects(trx: Knex.Transaction, conversationIds: string[]): Promise<string[]> {
  if (!conversationIds.length) return [];
  const { rows } = await trx.raw(
    `UPDATE conversations c SET subject_enc = NULL
     WHERE c.id = ANY(?::uuid[]) AND c.subject_enc IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content_purged_at IS NULL)
     RETURNING c.id`,
    [conversationIds],
  );
  return rows.map((r: { id: string }) => r.id);
}

/**
 * The archive's own window: a provider request older than it goes whatever its status (a failed
 * one too: replay is for recent failures), unless it is held for a suspended org or names a
 * message under a legal hold.
 */
async function purgeArchive(trx: Knex.Transaction, days: number, limit: number): Promise<number> {
  const { rows } = await trx.raw(
    `WITH RECURSIVE ${heldSetsSql}
     DELETE FROM raw_inbound WHERE id IN (
       SELECT r.id FROM raw_inbound r
       WHERE r.org_id = sb_org() AND r.status <> 'held' AND r.received_at < now() - make_interval(days => ?::int)
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = ANY(r.message_ids)
           AND (m.conversation_id IN (SELECT id FROM held_conversations) OR m.contact_id IN (SELECT id FROM held_contacts)))
       ORDER BY r.received_at LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [days, limit],
  );
  return rows.length;
}

async function purgeRawInbound(trx: Knex.Transaction, days: number, limit: number): Promise<number> {
  const { rows } = await trx.raw(
    `DELETE FROM raw_inbound WHERE id IN (
       SELECT r.id FROM raw_inbound r
       WHERE r.org_id = sb_org() AND r.received_at < now() - make_interval(days => ?::int)
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = ANY(r.message_ids) AND m.content_purged_at IS NULL)
       ORDER BY r.received_at LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [days, limit],
  );
  return rows.length;
}

/** One step for the transaction's org; null when another worker holds the org right now. */
export async function purgeStep(tx: TenantTx, opts: { batchSize: number }): Promise<PurgeStep | null> {
  const { rows } = await tx.trx.raw('SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS ok', [`retention|${tx.orgId}`]);
  if (!rows[0].ok) return null;
  const settings = (await orgSettings(tx.trx, tx.orgId)).retention;
  const days = shortestDays(settings);
  const archiveDays = settings.rawInbound?.days ?? null;
  if (days === null && archiveDays === null) return { counts: { messages: 0, events: 0, conversations: 0, rawInbound: 0 }, more: false };
  const purged = days === null ? [] : await purgeMessages(tx, settings, opts.batchSize);
  const purgedAt = new Date(purged[0]?.purged_at ?? Date.now()).toISOString();
  const messageEvents = await rewriteEvents(tx, purged.map((m) => m.id), 'message.%', (d) => stripMessageEvent(d, purgedAt));
  const touched = [...new Set(purged.map((m) => m.conversation_id))];
  const enrichmentEvents = await forgetEnrichments(tx, purged.map((m) => m.id), touched);
  const conversations = await purgeConversationSubjects(tx.trx, touched);
  const conversationEvents = await rewriteEvents(tx, conversations, 'conversation.%', stripConversationEvent);
  const rawInbound =
    (days === null ? 0 : await purgeRawInbound(tx.trx, days, opts.batchSize)) + (archiveDays === null ? 0 : await purgeArchive(tx.trx, archiveDays, opts.batchSize));
  const counts = { messages: purged.length, events: messageEvents + enrichmentEvents + conversationEvents, conversations: conversations.length, rawInbound };
  // Every purge is audited in its own transaction: the entry commits with the purge or not at all.
  if (counts.messages || counts.rawInbound) {
    await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'retention.purged', details: { counts, policy: settings } });
  }
  return { counts, more: purged.length === opts.batchSize || rawInbound >= opts.batchSize };
}
