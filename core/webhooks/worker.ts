import type { Engine } from '../engine.ts';
import type { EventJob } from '../events/dispatch.ts';
import { listOrgIds } from '../orgs.ts';
import { createLogger } from '../logger.ts';
import { defaultDeliveryOptions, runDelivery, type DeliveryOptions } from './deliver.ts';
import { fanOut } from './fanout.ts';
import { DELIVERY_QUEUE, FANOUT_QUEUE, kickAllPending, type DeliveryJob } from './jobs.ts';

const log = createLogger('webhooks');

export interface WebhookWorker {
  /** Resolves when the start-up catch-up (fan-out + pending deliveries of every org) is done. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the webhook queues in this process (the server in embedded mode, workers in production).
 * At start every org is caught up: in-process jobs do not survive a restart, the tables do.
 */
export function startWebhookWorker(engine: Engine, overrides: Partial<DeliveryOptions> = {}): WebhookWorker {
  const opts: DeliveryOptions = { ...defaultDeliveryOptions(engine.config.webhooksAllowPrivate), ...overrides };
  engine.queue.process<EventJob>(FANOUT_QUEUE, (job) => fanOut(engine, job.data.orgId), { concurrency: 2 });
  // Attempts are mostly waiting on the receiver, so many run at once; per-conversation order does
  // not depend on this (an ordered delivery is only enqueued once the one before it settled, jobs.ts).
  engine.queue.process<DeliveryJob>(DELIVERY_QUEUE, (job) => runDelivery(engine, opts, job), { concurrency: engine.config.webhookConcurrency });
  const ready = (async () => {
    for (const orgId of await listOrgIds(engine.db)) {
      await fanOut(engine, orgId);
      await kickAllPending(engine, orgId);
    }
  })().catch((err) => log.error({ err: (err as Error).message }, 'webhook catch-up failed'));
  return { ready, stop: async () => void (await ready) };
}
