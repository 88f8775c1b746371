import type { Engine } from '../core/engine.ts';
import { startRelay, type Relay } from '../core/events/relay.ts';
import { dispatchRoutes } from './dispatch-routes.ts';
import { startAuditSealer } from '../core/audit/sealer.ts';
import { startSendWorker } from '../core/send/worker.ts';
import { startWebhookWorker } from '../core/webhooks/worker.ts';
import { startRulesWorker } from '../rules/runner.ts';
import { startAiIdleSweep, startAiWorker } from '../ai/worker.ts';
import { startRetentionJob } from '../core/compliance/retention-job.ts';
import { startPoller } from '../core/connections/poller.ts';
import { startProvisioningJob } from '../core/provisioning/job.ts';

/**
 * The background work of a process: `start` runs it beside HTTP (embedded mode: the only
 * process), `worker` runs it alone. Every piece is safe to run in several replicas at once: the
 * relay shares its cursors through locks, queues hand each job to one worker, the retention purge
 * and the poller claim their orgs / connections. The relay starts first and stops last, so
 * whatever is pending at a stop (or a crash) is still in the outbox for the next start.
 */
const WORKERS: [name: string, start: (engine: Engine) => { stop(): Promise<void> }][] = [
  ['audit sealer', startAuditSealer],
  ['send worker', startSendWorker],
  ['webhook worker', startWebhookWorker],
  ['rules worker', startRulesWorker],
  ['AI worker', startAiWorker],
  ['AI idle sweep', startAiIdleSweep],
  ['retention job', startRetentionJob],
  ['poller', startPoller],
  ['provisioning job', startProvisioningJob],
];

/** Returns the relay, for callers that wait for the outbox to drain (the benchmark). */
/** Where each started piece registers its stop (cli/lifecycle.ts cleanupStack), run in reverse at exit. */
export interface StopList {
  push(name: string, stop: () => Promise<void>): void;
}

export async function startBackgroundWork(engine: Engine, cleanup: StopList): Promise<Relay> {
  const relay = await startRelay(engine, { routes: dispatchRoutes });
  cleanup.push('relay', () => relay.stop());
  for (const [name, start] of WORKERS) {
    const worker = start(engine);
    cleanup.push(name, () => worker.stop());
  }
  return relay;
}
