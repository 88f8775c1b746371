import { loadConfig } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { createConnectorRegistry } from '../app/connectors.ts';
import { startBackgroundWork } from '../app/background.ts';
import { AppError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { parse } from './args.ts';
import express from 'express';
import { metricsEndpoint } from '../api/metrics.ts';
import { cleanupStack, untilSignal } from './lifecycle.ts';

const log = createLogger('cli');

const HELP = `Usage: switchboard worker

Production mode only (DATABASE_URL and REDIS_URL set): runs the background work without HTTP
until SIGINT/SIGTERM: the event relay, which hands committed events to the queues (BullMQ) and to
the realtime fan-out (Redis pub/sub), the send queue, outbound webhooks, and the hourly retention purge
(RETENTION_INTERVAL_MS). Replicas share the work safely. With METRICS_PORT set it serves
GET /metrics (Prometheus) on that port. In embedded mode
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
    await startBackgroundWork(engine, cleanup);
    if (config.metricsPort) {
      // Workers have no HTTP API; this port serves only GET /metrics (send and webhook outcomes happen here).
      const server = express().get('/metrics', metricsEndpoint(engine)).listen(config.metricsPort, config.host);
      cleanup.push('metrics server', () => new Promise<void>((r) => server.close(() => r())));
    }
    log.info({ mode: config.mode }, 'worker running');
    await untilSignal();
  } finally {
    await cleanup.run();
  }
  log.info('stopped');
  return 0;
}
