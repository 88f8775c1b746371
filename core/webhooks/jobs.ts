import type { Engine } from '../engine.ts';
import type { TenantTx } from '../db/tenant.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { DispatchRoute } from '../events/dispatch.ts';

/** The fan-out queue takes every event (dispatch route); the delivery queue one job per attempt. */
export const FANOUT_QUEUE = 'webhooks';
export const DELIVERY_QUEUE = 'webhook-deliveries';

/** Every event of an org that subscribed wakes its fan-out, which matches it against the subscriptions (fanout.ts). */
export const webhookDispatchRoute: DispatchRoute = { queue: FANOUT_QUEUE, orgsFn: 'sb_orgs_with_webhooks' };

export interface DeliveryJob {
  orgId: string;
  deliveryId: string;
  /** The attempt this job makes (1-based): a job whose attempt is no longer due is stale and does nothing. */
  attempt: number;
}

export interface DeliveryRef {
  id: string;
  subscription_id: string;
  conversation_id: string | null;
  ordered: boolean;
}

interface DueRow {
  id: string;
  attempts: number;
  next_attempt_at: Date | string;
}

/**
 * One id per (delivery, attempt): enqueueing the same due attempt twice (two kicks racing, a restart)
 * runs it once, and the next attempt is a new job.
 */
function jobFor(orgId: string, d: DueRow, now = Date.now()): JobSpec<DeliveryJob> {
  const attempt = d.attempts + 1;
  return {
    id: `wh:${d.id}:${attempt}`,
    name: 'webhook.delivery',
    data: { orgId, deliveryId: d.id, attempt },
    delayMs: Math.max(0, new Date(d.next_attempt_at).getTime() - now),
  };
}

/**
 * The deliveries that may go now for the given refs: for an ordered delivery of a conversation, the
 * oldest pending one of its (subscription, conversation) — a later event waits until the earlier
 * one succeeded or failed for good; otherwise the delivery itself if still pending.
 */
export async function dueJobs(tx: TenantTx, refs: DeliveryRef[]): Promise<JobSpec<DeliveryJob>[]> {
  const jobs = new Map<string, JobSpec<DeliveryJob>>();
  const seenKeys = new Set<string>();
  for (const r of refs) {
    let due: DueRow | undefined;
    if (r.ordered && r.conversation_id) {
      const key = `${r.subscription_id}/${r.conversation_id}`;
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      due = await tx
        .trx('webhook_deliveries')
        .where({ subscription_id: r.subscription_id, conversation_id: r.conversation_id, status: 'pending', ordered: true })
        .orderBy('ord')
        .first('id', 'attempts', 'next_attempt_at');
    } else {
      due = await tx.trx('webhook_deliveries').where({ id: r.id, status: 'pending' }).first('id', 'attempts', 'next_attempt_at');
    }
    if (due) jobs.set(due.id, jobFor(tx.orgId, due));
  }
  return [...jobs.values()];
}

/** Enqueues what is due for the refs. Call it after the commit that created or settled them. */
export async function kick(engine: Engine, orgId: string, refs: DeliveryRef[]): Promise<void> {
  if (!refs.length) return;
  const jobs = await engine.tenant(orgId, (tx) => dueJobs(tx, refs));
  if (jobs.length) await engine.queue.add(DELIVERY_QUEUE, jobs);
}

/** Every pending delivery of the org that may go now (start-up: in-process jobs do not survive a restart). */
export async function kickAllPending(engine: Engine, orgId: string): Promise<void> {
  const refs: DeliveryRef[] = await engine.tenant(orgId, (tx) =>
    tx.trx('webhook_deliveries').where({ status: 'pending' }).select('id', 'subscription_id', 'conversation_id', 'ordered'),
  );
  await kick(engine, orgId, refs);
}
