import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { connectRedis, redisHealth } from '../redis-health.ts';
import { backoffMs } from './backoff.ts';
import { PermanentFailure, RetryLater, type QueueAdapter } from './queue.ts';
import { createLogger } from '../logger.ts';

const log = createLogger('queue');

// Completed jobs are kept a day so a re-added id (e.g. the relay re-delivering after a crash)
// is still recognised as a duplicate; failed ones a week, for inspection.
const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 };
const BACKOFF_TYPE = 'switchboard';

/**
 * BullMQ refuses custom ids that contain ':' or look like integers, while ours are
 * `${queue}:${eventId}`. The mapping is reversible: '%' and ':' are escaped, and an id that
 * would read as an integer gets a '%N' mark that escaping can never produce.
 */
export function toBullId(id: string): string {
  const escaped = id.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
  return `${parseInt(escaped, 10)}` === escaped ? `%N${escaped}` : escaped;
}

export function fromBullId(bullId: string): string {
  return bullId.replace(/^%N/, '').replace(/%3A|%25/g, (c) => (c === '%3A' ? ':' : '%'));
}

/** The retry delay of a failed attempt: a handler's RetryLater wins, else exponential backoff with jitter. */
function retryDelay(attemptsMade: number, _type?: string, err?: Error): number {
  return err instanceof RetryLater ? Math.max(0, err.delayMs) : backoffMs(attemptsMade);
}

/**
 * Production queue: BullMQ on Redis, every key under `prefix`. One shared connection serves
 * the producers; each worker duplicates its own blocking connection (BullMQ owns and closes it).
 */
export async function createBullmqQueue(redisUrl: string, prefix: string): Promise<QueueAdapter> {
  // maxRetriesPerRequest: null is what BullMQ requires: commands wait through a reconnect.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  connection.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  await connectRedis(connection, redisUrl);
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  let closed = false;

  function queueFor(name: string): Queue {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      q.on('error', (err) => log.warn({ queue: name, err: err.message }, 'queue error'));
      queues.set(name, q);
    }
    return q;
  }

  return {
    kind: 'bullmq',
    async add(queue, jobs) {
      if (closed || !jobs.length) return;
      // A job id that already exists (waiting, active, delayed, or kept after it finished) is ignored by BullMQ.
      await queueFor(queue).addBulk(
        jobs.map((spec) => ({
          name: spec.name,
          data: spec.data,
          opts: {
            jobId: toBullId(spec.id),
            delay: spec.delayMs,
            attempts: spec.attempts ?? 5,
            backoff: { type: BACKOFF_TYPE },
            removeOnComplete: KEEP_COMPLETED,
            removeOnFail: KEEP_FAILED,
          },
        })),
      );
    },
    process(queue, handler, opts) {
      const worker = new Worker(
        queue,
        async (job: BullJob) => {
          try {
            await handler({ id: fromBullId(job.id!), name: job.name, data: job.data, attempt: job.attemptsMade + 1 });
          } catch (err) {
            if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
            throw err;
          }
        },
        { connection, prefix, concurrency: opts?.concurrency ?? 4, settings: { backoffStrategy: retryDelay } },
      );
      worker.on('error', (err) => log.warn({ queue, err: err.message }, 'worker error'));
      worker.on('failed', (job, err) => {
        // Logged once per failed attempt; ids only, never the payload.
        log.warn({ queue, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job attempt failed');
      });
      workers.push(worker);
    },
    async health() {
      return redisHealth(connection, redisUrl);
    },
    async depths() {
      const out: Record<string, number> = {};
      for (const [name, q] of queues) out[name] = await q.getJobCountByTypes('wait', 'delayed', 'prioritized');
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Workers first: close() lets running jobs finish, then releases their blocking connections.
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
