import { beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { startHarness, type Harness } from './harness.ts';
import { startRelay, type Relay } from '../core/events/relay.ts';
import { dispatchRoutes } from '../app/dispatch-routes.ts';
import { startSendWorker, type SendWorker } from '../core/send/worker.ts';
import { startRulesWorker } from '../rules/runner.ts';

/**
 * The whole outbound pipeline for a test file: harness (API + engine), relay, send worker (and,
 * on request, the rules worker), with provider HTTP closed to everything but loopback so nock
 * must intercept it. Registers the file's (or the calling describe's) before/after hooks;
 * `await pipeline.ready` for the harness. `workers: false` keeps only the harness and the closed
 * network, for tests that drive the engine's functions themselves (pollers, CRM calls).
 */
export function usePipeline(opts: { rules?: boolean; workers?: boolean } = {}): { ready: Promise<Harness> } {
  let h: Harness | undefined;
  let started!: (h: Harness) => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<Harness>((resolve, reject) => ((started = resolve), (failed = reject)));
  ready.catch(() => {});
  let relay: Relay | undefined;
  let worker: SendWorker | undefined;
  let rules: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    try {
      h = await startHarness();
      if (opts.workers !== false) {
        relay = await startRelay(h.engine, { routes: dispatchRoutes });
        worker = startSendWorker(h.engine);
        if (opts.rules) rules = startRulesWorker(h.engine);
      }
      nock.disableNetConnect();
      nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
      started(h);
    } catch (err) {
      failed(err);
      throw err;
    }
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await rules?.stop();
    await relay?.stop();
    await worker?.stop();
    await h?.close();
  });
  afterEach(() => nock.cleanAll());
  return { ready };
}
