import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { createConnectorRegistry } from '../app/connectors.ts';
import { createLogger } from '../core/logger.ts';
import { startServer } from '../api/server.ts';
import { cleanupStack, untilSignal } from './lifecycle.ts';

const log = createLogger('cli');

/**
 * `switchboard start` with API_PROCESSES=N (production mode): N HTTP processes share the port
 * through node:cluster (the primary accepts connections and hands them round-robin), so the API's
 * CPU work — parsing, signatures, encryption, the driver — spreads over the machine's cores. Each
 * HTTP process has its own engine (pool, keyring cache) and no background work; the primary keeps
 * the relay and the workers, once. Realtime frames reach clients on any process through Redis,
 * as they do across machines. A process that dies is replaced; the primary stops them all on
 * SIGINT/SIGTERM before it stops its own work.
 */
export const isApiProcess = () => cluster.isWorker;

/** In a forked HTTP process: serve until the primary (or a signal) stops it. */
export async function serveApiProcess(config: Config): Promise<number> {
  const cleanup = cleanupStack();
  try {
    const engine = await createEngine(config, { connectors: await createConnectorRegistry(config) });
    cleanup.push('engine', () => engine.close());
    const api = await startServer(engine, { host: config.host, port: config.port });
    cleanup.push('http server', () => api.close());
    process.send?.({ listening: api.port });
    // Stopped by the primary's message, or by a signal (Ctrl-C reaches the whole process group:
    // the primary's message then comes second and is not taken for an impatient second signal).
    await Promise.race([untilSignal(), new Promise<void>((resolve) => process.on('message', (m: { stop?: boolean }) => m?.stop && resolve()))]);
  } finally {
    await cleanup.run();
  }
  return 0;
}

const RESPAWN_DELAY_MS = 1000;

/** In the primary: forks the HTTP processes; resolves with the shared port once all of them listen. */
export async function forkApiProcesses(count: number): Promise<{ port: number; stop(): Promise<void> }> {
  let stopping = false;
  const fork = () =>
    new Promise<{ worker: Worker; port: number }>((resolve, reject) => {
      const worker = cluster.fork();
      worker.on('message', (m: { listening?: number }) => m?.listening !== undefined && resolve({ worker, port: m.listening }));
      worker.once('exit', (code, signal) => {
        reject(new Error(`an API process exited before it listened (code ${code}, signal ${signal})`));
        if (stopping) return;
        // A crash after start: replaced, after a pause so a process that cannot start does not spin.
        log.error({ pid: worker.process.pid, code, signal }, 'an API process exited; starting another');
        setTimeout(() => !stopping && fork().catch((err: Error) => log.error({ err: err.message }, 'an API process did not start')), RESPAWN_DELAY_MS).unref();
      });
    });
  const started = await Promise.all(Array.from({ length: count }, fork));
  return {
    port: started[0]!.port,
    async stop() {
      stopping = true;
      await Promise.all(
        Object.values(cluster.workers ?? {}).map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w!.isDead()) return resolve();
              w!.once('exit', () => resolve());
              w!.send({ stop: true }, (err: Error | null) => err && w!.process.kill('SIGTERM'));
            }),
        ),
      );
    },
  };
}
