import crypto from 'node:crypto';
import net from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { invalid, notFound } from '../errors.ts';
import { isPrivateAddress } from '../egress.ts';

/** A rotated-out secret keeps signing beside the new one this long, so receivers can switch over. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

export interface SubscriptionFilter {
  conversationId?: string;
  channel?: string;
  metadata?: Record<string, string | number | boolean>;
}

export interface SubscriptionInput {
  url: string;
  eventTypes: string[];
  filter?: SubscriptionFilter;
  description?: string | null;
  enabled?: boolean;
  /** Seconds to wait before each retry (its length is the number of retries); null: the default schedule. */
  retrySchedule?: number[] | null;
}

export interface Subscription {
  id: string;
  object: 'subscription';
  url: string;
  eventTypes: string[];
  filter: SubscriptionFilter;
  description: string | null;
  enabled: boolean;
  status: 'active' | 'disabled';
  disabledReason: string | null;
  failingSince: string | null;
  /** null: the default schedule (DEFAULT_RETRY_SCHEDULE_S). */
  retrySchedule: number[] | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the answers of create and rotate-secret. */
  secret?: string;
}

export interface SubscriptionRow {
  id: string;
  org_id: string;
  url: string;
  event_types: string[];
  filter: SubscriptionFilter;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  secret_enc: Buffer;
  previous_secret_enc: Buffer | null;
  previous_secret_expires_at: Date | string | null;
  failing_since: Date | string | null;
  retry_schedule: number[] | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function subscriptionView(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    object: 'subscription',
    url: r.url,
    eventTypes: r.event_types,
    filter: r.filter ?? {},
    description: r.description,
    enabled: r.enabled,
    status: r.enabled ? 'active' : 'disabled',
    disabledReason: r.disabled_reason,
    failingSince: iso(r.failing_since),
    retrySchedule: r.retry_schedule ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** Standard Webhooks secrets: `whsec_` + base64 of the key (32 random bytes). */
export const newSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https only, except plain http to localhost when private egress is allowed (development, tests).
 * An IP literal in a private range is refused up front when private egress is not allowed; names
 * are checked again at each delivery, after DNS resolution (see egress.ts).
 */
export function validateUrl(raw: string, allowPrivate: boolean): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid('/url', 'is not a valid URL');
  }
  if (u.username || u.password) throw invalid('/url', 'must not carry credentials');
  const local = LOCAL_HOSTS.has(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local && allowPrivate)) {
    throw invalid('/url', allowPrivate ? 'must use https (http only to localhost)' : 'must use https');
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (local || (net.isIP(host) && isPrivateAddress(host)))) throw invalid('/url', 'must not point to a private or loopback address');
  return u.toString();
}

/** Exact types, prefix wildcards ("message.*") or "*". */
export function validateEventTypes(types: string[]): string[] {
  types.forEach((t, i) => {
    if (!/^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/i.test(t)) throw invalid(`/eventTypes/${i}`, 'must be an event type, a prefix like "message.*", or "*"');
  });
  return [...new Set(types)];
}

/** Bounds of an endpoint's own retry schedule: at most 10 retries, each 1 s to 24 h after the last attempt. */
export const RETRY_SCHEDULE_LIMITS = { maxRetries: 10, minSeconds: 1, maxSeconds: 86_400 };

export function validateRetrySchedule(schedule: number[] | null): number[] | null {
  if (schedule === null) return null;
  const { maxRetries, minSeconds, maxSeconds } = RETRY_SCHEDULE_LIMITS;
  if (schedule.length > maxRetries) throw invalid('/retrySchedule', `must list at most ${maxRetries} retries`);
  schedule.forEach((s, i) => {
    if (!Number.isInteger(s) || s < minSeconds || s > maxSeconds) throw invalid(`/retrySchedule/${i}`, `must be a whole number of seconds from ${minSeconds} to ${maxSeconds}`);
  });
  return schedule;
}

async function load(tx: TenantTx, id: string): Promise<SubscriptionRow> {
  const row = await tx.trx<SubscriptionRow>('webhook_subscriptions').where({ id }).first();
  if (!row) throw notFound('subscription');
  return row;
}

export async function createSubscription(tx: TenantTx, input: SubscriptionInput, allowPrivate: boolean): Promise<Subscription> {
  const id = uuidv7();
  const secret = newSecret();
  const [row] = await tx
    .trx('webhook_subscriptions')
    .insert({
      id,
      org_id: tx.orgId,
      url: validateUrl(input.url, allowPrivate),
      event_types: validateEventTypes(input.eventTypes),
      filter: JSON.stringify(input.filter ?? {}),
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      retry_schedule: validateRetrySchedule(input.retrySchedule ?? null),
      secret_enc: tx.crypto.encrypt(id, 'secret', secret),
    })
    .returning('*');
  // The fan-out cursor starts at the oldest transaction still running: everything settled now is
  // before it, everything later after it (events older than a subscription are skipped by time).
  await tx.trx.raw(
    `INSERT INTO webhook_cursors (org_id, tx, seq) VALUES (?, sb_settled_horizon(), 0) ON CONFLICT (org_id) DO NOTHING`,
    [tx.orgId],
  );
  return { ...subscriptionView(row), secret };
}

export async function listSubscriptions(tx: TenantTx): Promise<Subscription[]> {
  const rows = await tx.trx<SubscriptionRow>('webhook_subscriptions').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  return rows.map(subscriptionView);
}

export async function getSubscription(tx: TenantTx, id: string): Promise<Subscription> {
  return subscriptionView(await load(tx, id));
}

export async function updateSubscription(tx: TenantTx, id: string, patch: Partial<SubscriptionInput>, allowPrivate: boolean): Promise<Subscription> {
  await load(tx, id);
  const change: Record<string, unknown> = { updated_at: tx.trx.fn.now() };
  if (patch.url !== undefined) change.url = validateUrl(patch.url, allowPrivate);
  if (patch.eventTypes !== undefined) change.event_types = validateEventTypes(patch.eventTypes);
  if (patch.filter !== undefined) change.filter = JSON.stringify(patch.filter);
  if (patch.description !== undefined) change.description = patch.description;
  if (patch.retrySchedule !== undefined) change.retry_schedule = validateRetrySchedule(patch.retrySchedule);
  if (patch.enabled !== undefined) {
    change.enabled = patch.enabled;
    // Re-enabling starts a fresh failure clock; disabling by hand records who did it.
    change.disabled_reason = patch.enabled ? null : 'disabled by the API';
    if (patch.enabled) change.failing_since = null;
  }
  const [row] = await tx.trx('webhook_subscriptions').where({ id }).update(change).returning('*');
  return subscriptionView(row);
}

export async function deleteSubscription(tx: TenantTx, id: string): Promise<void> {
  const gone = await tx.trx('webhook_subscriptions').where({ id }).delete().returning('id');
  if (!gone.length) throw notFound('subscription');
}

/** A new secret; the current one keeps signing beside it for SECRET_OVERLAP_MS. */
export async function rotateSecret(tx: TenantTx, id: string, now = new Date()): Promise<Subscription> {
  const row = await load(tx, id);
  const current = tx.crypto.decrypt(id, 'secret', Buffer.from(row.secret_enc))!;
  const secret = newSecret();
  const [updated] = await tx
    .trx('webhook_subscriptions')
    .where({ id })
    .update({
      secret_enc: tx.crypto.encrypt(id, 'secret', secret),
      previous_secret_enc: tx.crypto.encrypt(id, 'previous_secret', current),
      previous_secret_expires_at: new Date(now.getTime() + SECRET_OVERLAP_MS),
      updated_at: tx.trx.fn.now(),
    })
    .returning('*');
  return { ...subscriptionView(updated), secret };
}

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export function signingSecrets(tx: TenantTx, row: SubscriptionRow, now = new Date()): string[] {
  const out = [tx.crypto.decrypt(row.id, 'secret', Buffer.from(row.secret_enc))!];
  if (row.previous_secret_enc && row.previous_secret_expires_at && new Date(row.previous_secret_expires_at) > now) {
    out.push(tx.crypto.decrypt(row.id, 'previous_secret', Buffer.from(row.previous_secret_enc))!);
  }
  return out;
}
