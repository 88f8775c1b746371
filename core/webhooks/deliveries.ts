import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { AppError, notFound } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import type { DeliveryRef } from './jobs.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../identity/pagination.ts';
import { TEST_EVENT } from './fanout.ts';

export interface AttemptView {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorClass: string | null;
  responseBody: string | null;
  outcome: string;
}

export interface DeliveryView {
  id: string;
  object: 'delivery';
  subscriptionId: string;
  eventId: string;
  eventType: string;
  sequence: number;
  conversationId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  attemptLog: AttemptView[];
}

const iso = (d: Date | string) => new Date(d).toISOString();

function view(r: Record<string, any>, attempts: Record<string, any>[]): DeliveryView {
  return {
    id: r.id,
    object: 'delivery',
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.event_type,
    sequence: Number(r.event_seq),
    conversationId: r.conversation_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    attemptLog: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        attempt: a.attempt,
        startedAt: iso(a.started_at),
        durationMs: a.duration_ms,
        statusCode: a.status_code,
        errorClass: a.error_class,
        responseBody: a.responseBody,
        outcome: a.outcome,
      })),
  };
}

async function requireSubscription(tx: TenantTx, id: string) {
  const sub = await tx.trx('webhook_subscriptions').where({ id }).first('id', 'enabled');
  if (!sub) throw notFound('subscription');
  return sub as { id: string; enabled: boolean };
}

async function withAttempts(tx: TenantTx, rows: Record<string, any>[]): Promise<DeliveryView[]> {
  const stored = rows.length ? await tx.trx('webhook_attempts').whereIn('delivery_id', rows.map((r) => r.id)).orderBy('attempt') : [];
  const attempts = stored.map((a) => ({ ...a, responseBody: a.response_enc ? tx.crypto.decrypt(a.id, 'response_body', Buffer.from(a.response_enc)) : null }));
  return rows.map((r) => view(r, attempts));
}

/** Newest first, keyset-paginated like every list (`?cursor=` from nextCursor). */
export async function listDeliveries(
  tx: TenantTx,
  subscriptionId: string,
  q: { status?: string; limit?: number; cursor?: string },
): Promise<Page<DeliveryView>> {
  await requireSubscription(tx, subscriptionId);
  const limit = q.limit ?? 50;
  const query = tx.trx('webhook_deliveries').select('webhook_deliveries.*', pageKeyColumn(tx.trx, 'webhook_deliveries')).where({ subscription_id: subscriptionId });
  if (q.status) query.where({ status: q.status });
  const { rows, nextCursor, hasMore } = pageOf(await applyPage(query, 'webhook_deliveries', decodePageCursor(q.cursor), limit), limit);
  return { data: await withAttempts(tx, rows), nextCursor, hasMore };
}

export async function getDelivery(tx: TenantTx, subscriptionId: string, deliveryId: string): Promise<DeliveryView> {
  await requireSubscription(tx, subscriptionId);
  const row = await tx.trx('webhook_deliveries').where({ id: deliveryId, subscription_id: subscriptionId }).first();
  if (!row) throw notFound('delivery');
  return (await withAttempts(tx, [row]))[0]!;
}

/**
 * Manual redelivery: the same webhook-id, a fresh retry schedule. It is a replay, sent at once and
 * outside the per-conversation order (`ordered` false); the payload's sequence still places it.
 */
export async function redeliver(tx: TenantTx, subscriptionId: string, deliveryId: string): Promise<{ view: DeliveryView; ref: DeliveryRef }> {
  const sub = await requireSubscription(tx, subscriptionId);
  const row = await tx.trx('webhook_deliveries').where({ id: deliveryId, subscription_id: subscriptionId }).first();
  if (!row) throw notFound('delivery');
  if (!sub.enabled) throw new AppError('conflict', 'The subscription is disabled: enable it before redelivering.');
  if (row.status === 'pending') throw new AppError('conflict', 'The delivery is still pending.');
  const [updated] = await tx
    .trx('webhook_deliveries')
    .where({ id: deliveryId })
    .update({ status: 'pending', step: 0, ordered: false, next_attempt_at: tx.trx.fn.now(), last_error: null, updated_at: tx.trx.fn.now() })
    .returning('*');
  return { view: (await withAttempts(tx, [updated]))[0]!, ref: updated };
}

/** A `webhook.test` event (in the feed like any other) delivered to this subscription only. */
export async function sendTestEvent(tx: TenantTx, subscriptionId: string): Promise<{ view: DeliveryView; ref: DeliveryRef }> {
  await requireSubscription(tx, subscriptionId);
  await appendEvent(tx, { type: TEST_EVENT, subjectId: subscriptionId, data: { subscriptionId, message: 'A test event from Switchboard.' } });
  const { rows } = await tx.trx.raw(`SELECT id, seq::text AS seq FROM events WHERE subject_id = ? AND type = ? ORDER BY seq DESC LIMIT 1`, [subscriptionId, TEST_EVENT]);
  const [row] = await tx
    .trx('webhook_deliveries')
    .insert({ id: uuidv7(), org_id: tx.orgId, subscription_id: subscriptionId, event_id: rows[0].id, event_type: TEST_EVENT, event_seq: rows[0].seq, ordered: false })
    .returning('*');
  return { view: (await withAttempts(tx, [row]))[0]!, ref: row };
}
