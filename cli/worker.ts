import { loadConfig } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { startRelay } from '../core/events/relay.ts';
import { startAuditSealer } from '../core/audit/sealer.ts';
import { startSendWorker } from '../core/send/worker.ts';
import { startWebhookWorker } from '../core/webhooks/worker.ts';
import { startRulesWorker } from '../rules/runner.ts';
import { startRetentionJob } from '../core/compliance/retention-job.ts';
import { startPoller } from '../core/connections/poller.ts';
import { createConnectorRegistry } from '../connectors/registry.ts';
import { AppError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { parse } from './args.ts';
import { cleanupStack, untilSignal } from './lifecycle.ts';

const log = createLogger('cli');

const HELP = `Usage: switchboard worker

Production mode only (DATABASE_URL and REDIS_URL set): runs the background work without HTTP
until SIGINT/SIGTERM: the event relay, which hands committed events to the queues (BullMQ) and to
the realtime fan-out (Redis pub/sub), the send queue, outbound webhooks, and the hourly retention purge
(RETENTION_INTERVAL_MS). Replicas share the work safely. In embedded mode
"switchboard start" does all of this in its one process.
`;

export async function run(args: string[]): Promise<number> {
  if (!parse('worker', args, {})) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(process.env);
  if (!config.databaseUrl || !config.redisUrl) {
    const missing = [!config.databaseUrl && 'DATABASE_URL', !config.redisUrl && 'REDIS_URL'].filter(Boolean).join(' and ');
    throw new AppError(
      'config_invalid',
      `The worker runs in production mode: set ${missing}. In embedded mode "switchboard start" runs the workers in-process.`,
    );
  }
  const cleanup = cleanupStack();
  try {
    const engine = await createEngine(config, { connectors: await createConnectorRegistry(config) });
    cleanup.push('engine', () => engine.close());
    const relay = await startRelay(engine);
    cleanup.push('relay', () => relay.stop());
    const sealer = startAuditSealer(engine);
    cleanup.push('audit sealer', () => sealer.stop());
    const sender = startSendWorker(engine);
    cleanup.push('send worker', () => sender.stop());
    const webhooks = startWebhookWorker(engine);
    cleanup.push('webhook worker', () => webhooks.stop());
    const rules = startRulesWorker(engine);
    cleanup.push('rules worker', () => rules.stop());
    // Every process runs the retention purge on RETENTION_INTERVAL_MS; a per-org lock shares the work.
    const retention = startRetentionJob(engine);
    cleanup.push('retention job', () => retention.stop());
    // Polled connectors (ServiceTitan, AppFolio…): every process polls; claims with leases share the work.
    const poller = startPoller(engine);
    cleanup.push('poller', () => poller.stop());
    log.info({ mode: config.mode }, 'worker running');
    await untilSignal();
  } finally {
    await cleanup.run();
  }
  log.info('stopped');
  return 0;
}
