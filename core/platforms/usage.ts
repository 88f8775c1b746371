import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { TenantTx } from '../db/tenant.ts';
import type { Engine } from '../engine.ts';

/**
 * Usage per org and day, for platforms to bill their customers (GET /v1/platform/usage). One row
 * per (org, day UTC, metric, channel, connector, shard); a write adds to a random one of a few
 * shard rows, so concurrent messages of one org do not queue on one row lock, and readers sum.
 * Written in the transaction of the change it counts, so usage commits (or not) with it.
 *
 * Metrics: messages.inbound / messages.outbound and segments.inbound / segments.outbound (by
 * channel and connector; outbound counted when a connector accepted the message), ai.tokens.input
 * / ai.tokens.output (connector = the AI provider or model), websocket.minutes (per closed
 * connection), storage.bytes (encrypted message content stored that day).
 */
export const USAGE_METRICS = [
  'messages.inbound',
  'messages.outbound',
  'segments.inbound',
  'segments.outbound',
  'ai.tokens.input',
  'ai.tokens.output',
  'websocket.minutes',
  'storage.bytes',
] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

export interface UsageItem {
  metric: UsageMetric;
  quantity: number;
  channel?: string | null;
  connector?: string | null;
}

const SHARDS = 4;
export const usageDay = (at: Date) => at.toISOString().slice(0, 10);

export async function recordUsage(trx: Knex, orgId: string, items: UsageItem[], at = new Date()): Promise<void> {
  const rows = items
    .filter((i) => i.quantity > 0)
    .map((i) => ({ org_id: orgId, day: usageDay(at), metric: i.metric, channel: i.channel ?? '', connector: i.connector ?? '', shard: crypto.randomInt(SHARDS), quantity: i.quantity }));
  if (!rows.length) return;
  await trx('usage_daily')
    .insert(rows)
    .onConflict(['org_id', 'day', 'metric', 'channel', 'connector', 'shard'])
    .merge({ quantity: trx.raw('usage_daily.quantity + excluded.quantity') });
}

/**
 * For AI enrichment: tokens an org's AI call used. `provider` is the connector or model id
 * ("openai", "openai:gpt-4o-mini"). Call it inside the org's transaction (tx), or with the engine
 * to record in a transaction of its own.
 */
export async function recordAiTokens(
  target: TenantTx | Pick<Engine, 'tenant'>,
  orgId: string,
  usage: { provider: string; inputTokens: number; outputTokens: number; at?: Date },
): Promise<void> {
  const items: UsageItem[] = [
    { metric: 'ai.tokens.input', quantity: usage.inputTokens, connector: usage.provider },
    { metric: 'ai.tokens.output', quantity: usage.outputTokens, connector: usage.provider },
  ];
  if ('trx' in target) return recordUsage(target.trx, orgId, items, usage.at);
  await target.tenant(orgId, (tx) => recordUsage(tx.trx, orgId, items, usage.at));
}

// GSM 03.38: the basic set, and the extension characters that take two septets.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXT = new Set('^{}\\[~]|€\f');

/** SMS segments of a text: GSM-7 160 / 153 per part, else UCS-2 70 / 67 UTF-16 units per part. */
export function smsSegments(text: string | null | undefined): number {
  if (!text) return 1;
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXT.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** Segments only mean something on SMS; every other channel's message is one. */
export const segmentsOf = (channel: string, body: string | null | undefined) => (channel === 'sms' ? smsSegments(body) : 1);

// A connection's connector never changes (an upgrade moves its version only): remembered by
// connection id, so counting a message's usage costs no read. Ids are UUIDs, unique across orgs.
const connectorOfConnection = new Map<string, string>();

export async function connectorOf(trx: Knex, connectionId: string | null | undefined): Promise<string | null> {
  if (!connectionId) return null;
  const hit = connectorOfConnection.get(connectionId);
  if (hit) return hit;
  const connector: string | null = (await trx('connections').select('connector_id').where({ id: connectionId }).first())?.connector_id ?? null;
  if (connector) {
    if (connectorOfConnection.size >= 10_000) connectorOfConnection.clear();
    connectorOfConnection.set(connectionId, connector);
  }
  return connector;
}

const bytes = (b: Buffer | Uint8Array | null | undefined) => b?.length ?? 0;

/** An inbound message was stored: counted with its channel and connector; every message adds its stored bytes. */
export async function recordMessageUsage(
  tx: TenantTx,
  m: { direction: 'inbound' | 'outbound'; channel: string; connectionId: string | null; body: string | null | undefined; stored: (Buffer | Uint8Array | null)[] },
): Promise<void> {
  const items: UsageItem[] = [{ metric: 'storage.bytes', quantity: m.stored.reduce((n, b) => n + bytes(b), 0) }];
  if (m.direction === 'inbound') {
    const connector = await connectorOf(tx.trx, m.connectionId);
    items.push(
      { metric: 'messages.inbound', quantity: 1, channel: m.channel, connector },
      { metric: 'segments.inbound', quantity: segmentsOf(m.channel, m.body), channel: m.channel, connector },
    );
  }
  await recordUsage(tx.trx, tx.orgId, items);
}

/** A connector accepted an outbound message (markSent). */
export async function recordSentUsage(tx: TenantTx, m: { channel: string; connectionId: string; connector?: string; body: string | null }): Promise<void> {
  const connector = m.connector ?? (await connectorOf(tx.trx, m.connectionId));
  await recordUsage(tx.trx, tx.orgId, [
    { metric: 'messages.outbound', quantity: 1, channel: m.channel, connector },
    { metric: 'segments.outbound', quantity: segmentsOf(m.channel, m.body), channel: m.channel, connector },
  ]);
}

/** A WebSocket connection of the org closed after `ms`: its minutes (fractional) count on the day it closed. */
export async function recordWebSocketMinutes(engine: Pick<Engine, 'tenant'>, orgId: string, ms: number, kind: 'api' | 'widget'): Promise<void> {
  await engine.tenant(orgId, (tx) => recordUsage(tx.trx, orgId, [{ metric: 'websocket.minutes', quantity: Math.round((ms / 60_000) * 10_000) / 10_000, channel: kind }]));
}
