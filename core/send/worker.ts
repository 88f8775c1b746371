import type { DispatchRoute, EventJob } from '../events/dispatch.ts';
import { createPacer } from '../ratelimit.ts';
import { runSendJob, type SendEngine } from './job.ts';
import { SEND_ATTEMPTS } from './policy.ts';
import { runSandboxCallback, SANDBOX_QUEUE, type SandboxCallbackJob } from './sandbox.ts';

/**
 * Starts the send queue's handlers in this process (the API server in embedded mode, workers in
 * production): the send job and the sandbox's simulated status callbacks. The pacer is shared
 * through Redis when there is one, so every worker keeps one pace per sender.
 */
export const SEND_QUEUE = 'send';

/** An outbound message was recorded (queued): the send job hands it to its channel connector. */
export const sendDispatchRoute: DispatchRoute = {
  queue: SEND_QUEUE,
  types: ['message.created'],
  when: (e) => (e.data.message as { direction?: string } | undefined)?.direction === 'outbound',
  attempts: SEND_ATTEMPTS,
};

export interface SendWorker {
  stop(): Promise<void>;
}

export function startSendWorker(engine: SendEngine): SendWorker {
  const pacer = createPacer(engine.config.redisUrl, engine.config.redisPrefix);
  // SEND_CONCURRENCY jobs in flight: a send mostly waits (database, Redis, the provider), and a
  // paced sender's job holds its slot while it waits for its turn.
  const concurrency = engine.config.sendConcurrency;
  engine.queue.process<EventJob>(SEND_QUEUE, (job) => runSendJob(engine, pacer, job), { concurrency });
  engine.queue.process<SandboxCallbackJob>(SANDBOX_QUEUE, (job) => runSandboxCallback(engine, job), { concurrency });
  return { stop: () => pacer.close() };
}
