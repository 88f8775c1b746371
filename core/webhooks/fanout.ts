import { v7 as uuidv7 } from 'uuid';
import type { Engine } from '../engine.ts';
import type { TenantTx } from '../db/tenant.ts';
import { readOrgEvents, type EventRow } from '../events/events.ts';
import { matchesFilter, matchesType, type ConversationFacts } from './matching.ts';
import type { SubscriptionRow } from './subscriptions.ts';
import { kick, type DeliveryRef } from './jobs.ts';

const BATCH = 200;
/** Sent only to the subscription it tests, created directly by POST /v1/subscriptions/{id}/test. */
export const TEST_EVENT = 'webhook.test';

/**
 * Turns the org's new events into deliveries. The job is only a wake-up: under the lock of the
 * org's webhook cursor it reads every settled event after the cursor, so deliveries are created
 * exactly once and in feed order however many fan-out jobs run, in whatever order.
 * Matching reads clear columns only (type, conversation channel and metadata): nothing is decrypted.
 */
export async function fanOut(engine: Engine, orgId: string): Promise<void> {
  const created = await engine.tenant(orgId, (tx) => fanOutIn(tx));
  await kick(engine, orgId, created);
}

async function fanOutIn(tx: TenantTx): Promise<DeliveryRef[]> {
  const { rows } = await tx.trx.raw(`SELECT tx::text AS tx, seq::text AS seq FROM webhook_cursors WHERE org_id = ? FOR UPDATE`, [tx.orgId]);
  if (!rows.length) return []; // the org never subscribed
  let pos: { tx: string; seq: string } = rows[0];
  const subs = await tx.trx<SubscriptionRow>('webhook_subscriptions').where({ enabled: true });
  const conversations = new Map<string, ConversationFacts | null>();
  const facts = async (id: string) => {
    if (!conversations.has(id)) {
      const c = await tx.trx('conversations').where({ id }).first('id', 'channel', 'metadata');
      conversations.set(id, c ? { id: c.id, channel: c.channel, metadata: c.metadata ?? {} } : null);
    }
    return conversations.get(id)!;
  };
  const created: DeliveryRef[] = [];
  for (;;) {
    const batch: EventRow[] = await readOrgEvents(tx.trx, pos, BATCH);
    if (!batch.length) break;
    const inserts: Record<string, unknown>[] = [];
    for (const row of batch) {
      if (row.type === TEST_EVENT) continue;
      const at = new Date(row.created_at);
      const candidates = subs.filter((s) => new Date(s.created_at) <= at && matchesType(s.event_types, row.type));
      if (!candidates.length) continue;
      const conversation = row.conversation_id ? await facts(row.conversation_id) : null;
      for (const s of candidates) {
        if (!matchesFilter(s.filter ?? {}, conversation)) continue;
        inserts.push({
          id: uuidv7(),
          org_id: tx.orgId,
          subscription_id: s.id,
          event_id: row.id,
          event_type: row.type,
          event_seq: row.seq,
          conversation_id: row.conversation_id,
        });
      }
    }
    if (inserts.length) {
      const refs = await tx.trx('webhook_deliveries').insert(inserts).onConflict(['subscription_id', 'event_id']).ignore().returning(['id', 'subscription_id', 'conversation_id', 'ordered']);
      created.push(...refs);
    }
    const last = batch[batch.length - 1]!;
    pos = { tx: String(last.tx), seq: String(last.seq) };
    if (batch.length < BATCH) break;
  }
  await tx.trx('webhook_cursors').where({ org_id: tx.orgId }).update({ tx: pos.tx, seq: pos.seq });
  return created;
}
