/**
 * Queues are dispatch, not truth: every job can be rebuilt from the events table. Two adapters
 * share this interface: in-process (embedded mode) and BullMQ on Redis (production).
 */
export interface JobSpec<T = unknown> {
  /** Deterministic id (e.g. `${consumer}:${eventId}`): adding the same id twice runs the job once. */
  id: string;
  name: string;
  data: T;
  delayMs?: number;
  /** Attempts before the job is given up (default 5); retries back off exponentially with jitter. */
  attempts?: number;
}

export interface Job<T = unknown> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first run. */
  attempt: number;
}

/** Throw from a handler to retry after a given delay (e.g. a provider's Retry-After). */
export class RetryLater extends Error {
  constructor(readonly delayMs: number, message = 'retry later') {
    super(message);
  }
}

/** Throw from a handler to fail a job without retrying. */
export class PermanentFailure extends Error {}

export interface QueueAdapter {
  readonly kind: 'in-process' | 'bullmq';
  add(queue: string, jobs: JobSpec[]): Promise<void>;
  process<T = unknown>(queue: string, handler: (job: Job<T>) => Promise<void>, opts?: { concurrency?: number }): void;
  health(): Promise<{ ok: boolean; detail?: string }>;
  /** Jobs waiting or delayed, per queue this process has used (metrics). */
  depths(): Promise<Record<string, number>>;
  /** Waits for running jobs (in-process) and closes connections. */
  close(): Promise<void>;
}
