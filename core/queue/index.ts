import type { QueueAdapter } from './queue.ts';
import { createInProcessQueue } from './in-process.ts';

export * from './queue.ts';

export async function createQueue(redisUrl?: string, prefix = 'sb'): Promise<QueueAdapter> {
  if (!redisUrl) return createInProcessQueue();
  const { createBullmqQueue } = await import('./bullmq.ts');
  return createBullmqQueue(redisUrl, prefix);
}
