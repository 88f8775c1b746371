import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { TenantTx } from '../db/tenant.ts';
import type { OrgCrypto } from '../crypto/keyring.ts';
import { encodeCursor, type Position } from './cursor.ts';

/**
 * The spine. Every state change appends one event in the same transaction as the change; the
 * event is the outbox entry, the /v1/sync feed item, the WebSocket frame and the webhook payload.
 * The payload is encrypted (it carries message bodies); type and ids stay clear for routing.
 */
export type EventType =
  | 'message.created'
  | 'message.status_changed'
  | 'conversation.created'
  | 'conversation.updated'
  | 'contact.created'
  | 'contact.updated'
  | 'contact.merged'
  | 'contact.unmerged'
  | 'contact.deleted'
  | (string & {});

export interface NewEvent {
  type: EventType;
  conversationId?: string | null;
  subjectId?: string | null;
  data: Record<string, unknown>;
}

export interface EngineEvent {
  id: string;
  type: EventType;
  orgId: string;
  conversationId: string | null;
  subjectId: string | null;
  createdAt: string;
  cursor: string;
  data: Record<string, unknown>;
}

export interface EventRow {
  seq: string;
  id: string;
  org_id: string;
  type: string;
  conversation_id: string | null;
  subject_id: string | null;
  data_enc: Buffer;
  tx: string;
  created_at: Date | string;
}

export async function appendEvents(tx: TenantTx, events: NewEvent[]): Promise<void> {
  if (!events.length) return;
  await tx.trx('events').insert(
    events.map((e) => {
      const id = uuidv7();
      return {
        id,
        org_id: tx.orgId,
        type: e.type,
        conversation_id: e.conversationId ?? null,
        subject_id: e.subjectId ?? null,
        data_enc: tx.crypto.encryptJson(id, 'data', e.data),
      };
    }),
  );
}

export const appendEvent = (tx: TenantTx, e: NewEvent) => appendEvents(tx, [e]);

export function positionOf(row: Pick<EventRow, 'tx' | 'seq'>): Position {
  return { tx: String(row.tx), seq: String(row.seq) };
}

export function decodeEvent(row: EventRow, crypto: OrgCrypto): EngineEvent {
  return {
    id: row.id,
    type: row.type,
    orgId: row.org_id,
    conversationId: row.conversation_id,
    subjectId: row.subject_id,
    createdAt: new Date(row.created_at).toISOString(),
    cursor: encodeCursor(positionOf(row)),
    data: crypto.decryptJson<Record<string, unknown>>(row.id, 'data', row.data_enc) ?? {},
  };
}

// Only transactions older than every running one are read, so a late commit with a smaller seq
// can never be skipped (see the events table comment).
// The horizon is computed once per statement (an InitPlan); see migrations/…_settled_horizon.ts.
export const SETTLED = `tx < (SELECT sb_settled_horizon())`;
const COLUMNS = `seq::text AS seq, id, org_id, type, conversation_id, subject_id, data_enc, tx::text AS tx, created_at`;

/** One event of the transaction's org, decoded, with its feed number; undefined once it is gone (retention, erasure). */
export async function findEvent(tx: TenantTx, eventId: string): Promise<{ event: EngineEvent; seq: string } | undefined> {
  const { rows } = await tx.trx.raw(`SELECT ${COLUMNS} FROM events WHERE id = ?`, [eventId]);
  const row = rows[0] as EventRow | undefined;
  if (!row) return undefined;
  return { event: decodeEvent({ ...row, data_enc: Buffer.from(row.data_enc) }, tx.crypto), seq: row.seq };
}

/** One org's events after a position, in feed order (RLS scopes it to the tenant of trx). */
export async function readOrgEvents(
  trx: Knex,
  after: Position,
  limit: number,
  filter: { conversationId?: string; types?: string[] } = {},
): Promise<EventRow[]> {
  return readOrgPage(trx, { bound: `(tx, seq) > (?::xid8, ?::bigint)`, at: after, order: 'ASC' }, limit, filter);
}

/** The same feed backwards for browsing (newest first, older than `before` when given); the sync cursor semantics are unchanged. */
export async function readOrgEventsNewestFirst(
  trx: Knex,
  before: Position | null,
  limit: number,
  filter: { conversationId?: string; types?: string[] } = {},
): Promise<EventRow[]> {
  return readOrgPage(trx, { bound: before ? `(tx, seq) < (?::xid8, ?::bigint)` : null, at: before, order: 'DESC' }, limit, filter);
}

async function readOrgPage(
  trx: Knex,
  page: { bound: string | null; at: Position | null; order: 'ASC' | 'DESC' },
  limit: number,
  filter: { conversationId?: string; types?: string[] },
): Promise<EventRow[]> {
  const where: string[] = [SETTLED];
  const params: Knex.RawBinding[] = [];
  if (page.bound && page.at) {
    where.unshift(page.bound);
    params.push(page.at.tx, page.at.seq);
  }
  if (filter.conversationId) {
    where.push('conversation_id = ?');
    params.push(filter.conversationId);
  }
  if (filter.types?.length) {
    where.push(`type = ANY(?)`);
    params.push(filter.types);
  }
  // ORDER BY names the table's columns: bare tx/seq would sort by the ::text output aliases ('10' < '9').
  const { rows } = await trx.raw(
    `SELECT ${COLUMNS} FROM events WHERE org_id = sb_org() AND ${where.join(' AND ')} ORDER BY events.tx ${page.order}, events.seq ${page.order} LIMIT ?`,
    [...params, limit],
  );
  return rows;
}

/** All orgs' settled events after a position: only the relay reads this (a narrow definer function). */
export async function readAllEvents(knex: Knex, after: Position, limit: number): Promise<EventRow[]> {
  const { rows } = await knex.raw(`SELECT ${COLUMNS} FROM sb_events_after(?::xid8, ?::bigint, ?)`, [after.tx, after.seq, limit]);
  return rows;
}
