import type { Engine } from '../engine.ts';
import { createLogger } from '../logger.ts';
import { listOrgIds } from '../orgs.ts';
import { purgeStep, type PurgeCounts } from './retention.ts';

const log = createLogger('retention');

/**
 * The scheduled retention purge: every interval, each org in turn (sb_org_ids), in steps of one
 * tenant transaction each and at most maxStepsPerOrg steps per org per run, so one org with a
 * large backlog cannot starve the others (the rest waits for the next run). Every process may run
 * it (api and worker replicas): the per-org lock in purgeStep keeps them out of each other's way.
 */
export interface RetentionOptions {
  batchSize?: number;
  maxStepsPerOrg?: number;
}

export interface RetentionRun {
  orgs: number;
  /** Orgs another process was purging at the time (left to it). */
  skipped: number;
  failed: number;
  counts: PurgeCounts;
}

export async function runRetention(engine: Engine, opts: RetentionOptions = {}): Promise<RetentionRun> {
  const batchSize = opts.batchSize ?? 200;
  const maxSteps = opts.maxStepsPerOrg ?? 25;
  const run: RetentionRun = { orgs: 0, skipped: 0, failed: 0, counts: { messages: 0, events: 0, conversations: 0, rawInbound: 0 } };
  for (const orgId of await listOrgIds(engine.db)) {
    run.orgs++;
    try {
      for (let step = 0; step < maxSteps; step++) {
        const result = await engine.tenant(orgId, (tx) => purgeStep(tx, { batchSize }));
        if (!result) {
          run.skipped++;
          break;
        }
        for (const k of Object.keys(run.counts) as (keyof PurgeCounts)[]) run.counts[k] += result.counts[k];
        if (result.counts.messages || result.counts.rawInbound) log.info({ orgId, ...result.counts }, 'purged');
        if (!result.more) break;
      }
    } catch (err) {
      // One org's failure (a key it cannot unwrap, a bad row) must not stop the others.
      run.failed++;
      log.error({ orgId, err }, 'retention purge failed');
    }
  }
  return run;
}

export interface RetentionJob {
  stop(): Promise<void>;
}

/** Runs runRetention every intervalMs (first run after min(intervalMs, 30 s)); stop() waits for a run in progress. */
export function startRetentionJob(engine: Engine, opts: RetentionOptions & { intervalMs?: number } = {}): RetentionJob {
  const interval = opts.intervalMs ?? engine.config.retentionIntervalMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runRetention(engine, opts)
        .catch((err) => log.error({ err }, 'retention run failed'))
        .finally(() => {
          running = undefined;
          schedule(interval);
        });
    }, ms);
    timer.unref();
  };
  schedule(Math.min(interval, 30_000));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
