import { backoffMs } from './backoff.ts';
import { PermanentFailure, RetryLater, type Job, type JobSpec, type QueueAdapter } from './queue.ts';
import { createLogger } from '../logger.ts';

const log = createLogger('queue');
const SEEN_LIMIT = 100_000;

interface Pending {
  spec: JobSpec;
  attempt: number;
}

/**
 * Embedded-mode queue: jobs live in memory, so a crash loses them, and the relay rebuilds them
 * from the events table at start. Job ids are remembered so re-adding a known id is a no-op.
 */
export function createInProcessQueue(): QueueAdapter {
  const handlers = new Map<string, { fn: (job: Job) => Promise<void>; concurrency: number; running: number }>();
  const waiting = new Map<string, Pending[]>();
  const delayed = new Map<string, number>();
  const seen = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  let closed = false;

  function pump(queue: string) {
    const h = handlers.get(queue);
    const list = waiting.get(queue);
    if (!h || !list) return;
    while (!closed && h.running < h.concurrency && list.length) {
      const p = list.shift()!;
      h.running++;
      let run: Promise<void> | undefined = undefined;
      run = (async () => {
        try {
          await h.fn({ id: p.spec.id, name: p.spec.name, data: p.spec.data, attempt: p.attempt });
        } catch (err) {
          const max = p.spec.attempts ?? 5;
          if (err instanceof PermanentFailure || p.attempt >= max) {
            log.warn({ queue, job: p.spec.id, attempt: p.attempt, err: (err as Error).message }, 'job failed');
          } else {
            const delay = err instanceof RetryLater ? err.delayMs : backoffMs(p.attempt);
            schedule(queue, { spec: p.spec, attempt: p.attempt + 1 }, delay);
          }
        } finally {
          h.running--;
          inflight.delete(run!);
          setImmediate(() => pump(queue));
        }
      })();
      inflight.add(run);
    }
  }

  function enqueue(queue: string, p: Pending) {
    if (closed) return;
    const list = waiting.get(queue) ?? [];
    list.push(p);
    waiting.set(queue, list);
    pump(queue);
  }

  function schedule(queue: string, p: Pending, delayMs: number) {
    if (delayMs <= 0) return enqueue(queue, p);
    delayed.set(queue, (delayed.get(queue) ?? 0) + 1);
    const t = setTimeout(() => {
      timers.delete(t);
      delayed.set(queue, delayed.get(queue)! - 1);
      enqueue(queue, p);
    }, delayMs);
    t.unref();
    timers.add(t);
  }

  return {
    kind: 'in-process',
    async add(queue, jobs) {
      for (const spec of jobs) {
        const key = `${queue}\0${spec.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // Dedupe guards against the relay re-adding a batch; old ids need not be kept forever.
        if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!);
        schedule(queue, { spec, attempt: 1 }, spec.delayMs ?? 0);
      }
    },
    process(queue, handler, opts) {
      handlers.set(queue, { fn: handler as (job: Job) => Promise<void>, concurrency: opts?.concurrency ?? 4, running: 0 });
      pump(queue);
    },
    async health() {
      return { ok: !closed };
    },
    async depths() {
      const names = new Set([...waiting.keys(), ...delayed.keys()]);
      return Object.fromEntries([...names].map((q) => [q, (waiting.get(q)?.length ?? 0) + (delayed.get(q) ?? 0)]));
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...inflight]);
    },
  };
}
