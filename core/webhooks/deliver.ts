import { v7 as uuidv7 } from 'uuid';
import { statusClass, webhookAttempts } from '../metrics.ts';
import { Webhook } from 'standardwebhooks';
import type { Engine } from '../engine.ts';
import type { TenantTx } from '../db/tenant.ts';
import type { Job } from '../queue/queue.ts';
import { findEvent } from '../events/events.ts';
import { orgSettings } from '../org-settings.ts';
import { createLogger } from '../logger.ts';
import { buildPayload } from './payload.ts';
import { postJson, type PostResult } from '../egress.ts';
import { signingSecrets, type SubscriptionRow } from './subscriptions.ts';
import { kick, type DeliveryJob, type DeliveryRef } from './jobs.ts';

const log = createLogger('webhooks');

/** Svix's schedule: delay before attempt 1, 2, … (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
export const SVIX_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface DeliveryOptions {
  /**
   * Delay before each attempt; its length is the number of attempts. Tests inject tiny delays.
   * An endpoint with its own retry schedule (subscription.retrySchedule) uses that instead.
   */
  scheduleMs: number[];
  timeoutMs: number;
  /** An endpoint failing without a single success this long is disabled. */
  disableAfterMs: number;
  allowPrivate: boolean;
}

export const defaultDeliveryOptions = (allowPrivate: boolean): DeliveryOptions => ({
  scheduleMs: SVIX_SCHEDULE_MS,
  timeoutMs: 15_000,
  disableAfterMs: 5 * 24 * 3600_000,
  allowPrivate,
});

interface DeliveryRow extends DeliveryRef {
  org_id: string;
  event_id: string;
  status: string;
  attempts: number;
  step: number;
  ord: string;
}

/** The endpoint's own schedule (seconds between attempts) as delays before each attempt, else the default. */
export function scheduleFor(sub: Pick<SubscriptionRow, 'retry_schedule'>, opts: DeliveryOptions): number[] {
  return sub.retry_schedule ? [0, ...sub.retry_schedule.map((s) => s * 1000)] : opts.scheduleMs;
}

type Verdict = { outcome: 'succeeded' } | { outcome: 'retry'; retryAfterMs: number } | { outcome: 'failed'; disable?: string };

/** Retry on timeouts, network errors, 408, 429 and 5xx; 410 gives the endpoint up; any other answer ends this delivery. */
export function judge(r: PostResult): Verdict {
  if (r.status !== null && r.status >= 200 && r.status < 300) return { outcome: 'succeeded' };
  if (r.errorClass === 'egress_refused') return { outcome: 'failed' };
  if (r.status === 410) return { outcome: 'failed', disable: 'the endpoint answered 410 Gone' };
  if (r.status === null || r.status >= 500 || r.status === 429 || r.status === 408) return { outcome: 'retry', retryAfterMs: retryAfterMs(r.headers['retry-after']) };
  return { outcome: 'failed' };
}

function retryAfterMs(h: string | string[] | undefined): number {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return 0;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

async function settle(tx: TenantTx, id: string, status: 'failed' | 'succeeded', lastError: string | null) {
  await tx.trx('webhook_deliveries').where({ id }).update({ status, last_error: lastError, updated_at: tx.trx.fn.now() });
}

type Prepared = { kind: 'skip' } | { kind: 'settled'; d: DeliveryRow } | { kind: 'send'; d: DeliveryRow; url: string; secrets: string[]; body: string; sub: SubscriptionRow };

async function prepare(tx: TenantTx, job: DeliveryJob): Promise<Prepared> {
  const d = await tx.trx<DeliveryRow>('webhook_deliveries').where({ id: job.deliveryId }).first();
  // Stale: already settled, or this attempt was made (a re-added job, a manual redelivery racing).
  if (!d || d.status !== 'pending' || d.attempts + 1 !== job.attempt) return { kind: 'skip' };
  if (d.ordered && d.conversation_id) {
    const earlier = await tx
      .trx('webhook_deliveries')
      .where({ subscription_id: d.subscription_id, conversation_id: d.conversation_id, status: 'pending', ordered: true })
      .where('ord', '<', d.ord)
      .first('id');
    if (earlier) return { kind: 'skip' }; // the earlier one kicks this one when it settles
  }
  const sub = await tx.trx<SubscriptionRow>('webhook_subscriptions').where({ id: d.subscription_id }).first();
  if (!sub?.enabled) {
    await settle(tx, d.id, 'failed', 'the endpoint is disabled');
    return { kind: 'settled', d };
  }
  const found = await findEvent(tx, d.event_id);
  if (!found) {
    await settle(tx, d.id, 'failed', 'the event no longer exists (retention or erasure)');
    return { kind: 'settled', d };
  }
  const payload = buildPayload(found.event, found.seq, await orgSettings(tx.trx, tx.orgId));
  return { kind: 'send', d, url: sub.url, secrets: signingSecrets(tx, sub), body: JSON.stringify(payload), sub };
}

/** Records the attempt and moves the delivery on (retry scheduled, or settled); may disable the endpoint. */
async function record(tx: TenantTx, d: DeliveryRow, res: PostResult, startedAt: Date, scheduleMs: number[], opts: DeliveryOptions): Promise<'pending' | 'settled'> {
  const verdict = judge(res);
  const nextStep = d.step + 1;
  const retry = verdict.outcome === 'retry' && nextStep < scheduleMs.length;
  const outcome = verdict.outcome === 'retry' && !retry ? 'failed' : verdict.outcome;
  const attempt = d.attempts + 1;
  const attemptId = uuidv7();
  await tx.trx('webhook_attempts').insert({
    id: attemptId,
    org_id: tx.orgId,
    delivery_id: d.id,
    attempt,
    started_at: startedAt,
    duration_ms: res.durationMs,
    status_code: res.status,
    error_class: res.errorClass ?? (res.status !== null && outcome !== 'succeeded' ? 'http_status' : null),
    // The receiver's answer may echo the payload (bodies, phone numbers): sealed like message content.
    response_enc: res.body ? tx.crypto.encrypt(attemptId, 'response_body', res.body) : null,
    outcome,
  });
  const error = outcome === 'succeeded' ? null : (res.error ?? `HTTP ${res.status}`) + (verdict.outcome === 'retry' && !retry ? ' (retries exhausted)' : '');
  const change: Record<string, unknown> = { attempts: attempt, last_status_code: res.status, last_error: error, updated_at: tx.trx.fn.now() };
  if (retry) {
    const wait = Math.max(scheduleMs[nextStep]!, verdict.retryAfterMs);
    Object.assign(change, { step: nextStep, next_attempt_at: new Date(Date.now() + wait) });
  } else {
    change.status = outcome;
  }
  await tx.trx('webhook_deliveries').where({ id: d.id, attempts: d.attempts }).update(change);

  if (outcome === 'succeeded') {
    // Only when it was failing: an unconditional UPDATE row-locks the endpoint until commit, which
    // would queue every concurrent delivery to it behind one another.
    await tx.trx('webhook_subscriptions').where({ id: d.subscription_id }).whereNotNull('failing_since').update({ failing_since: null });
  } else {
    const disable = verdict.outcome === 'failed' ? verdict.disable : undefined;
    const [sub] = await tx
      .trx('webhook_subscriptions')
      .where({ id: d.subscription_id })
      .update({ failing_since: tx.trx.raw('coalesce(failing_since, now())') })
      .returning(['failing_since', 'enabled']);
    const failingFor = sub ? Date.now() - new Date(sub.failing_since).getTime() : 0;
    const reason = disable ?? (failingFor >= opts.disableAfterMs ? `every attempt failed for ${Math.round(failingFor / 3600_000)} h` : undefined);
    if (reason && sub?.enabled) {
      await tx.trx('webhook_subscriptions').where({ id: d.subscription_id }).update({ enabled: false, disabled_reason: reason, updated_at: tx.trx.fn.now() });
      log.warn({ orgId: tx.orgId, subscriptionId: d.subscription_id, reason }, 'webhook endpoint disabled');
    }
  }
  return retry ? 'pending' : 'settled';
}

/** One delivery attempt: sign, POST, record, then schedule the retry or release the next in order. */
export async function runDelivery(engine: Engine, opts: DeliveryOptions, job: Job<DeliveryJob>): Promise<void> {
  const { orgId } = job.data;
  const p = await engine.tenant(orgId, (tx) => prepare(tx, job.data));
  if (p.kind === 'skip') return;
  if (p.kind === 'settled') return kick(engine, orgId, [p.d]);
  const startedAt = new Date();
  // Several space-separated signatures during a secret rotation, as Standard Webhooks allows.
  const signature = p.secrets.map((s) => new Webhook(s).sign(p.d.id, startedAt, p.body)).join(' ');
  const res = await postJson(
    p.url,
    p.body,
    { 'webhook-id': p.d.id, 'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)), 'webhook-signature': signature },
    { timeoutMs: opts.timeoutMs, allowPrivate: opts.allowPrivate },
  );
  const state = await engine.tenant(orgId, (tx) => record(tx, p.d, res, startedAt, scheduleFor(p.sub, opts), opts));
  log.info({ orgId, deliveryId: p.d.id, attempt: job.data.attempt, status: res.status, errorClass: res.errorClass, state }, 'webhook attempt');
  webhookAttempts.inc({ outcome: res.errorClass ?? (res.status !== null ? statusClass(res.status) : 'unknown') });
  // Pending: the retry is due later (kick computes its delay); settled: the next in order may go.
  await kick(engine, orgId, [p.d]);
}

