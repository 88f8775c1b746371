import type { RealtimeAdapter } from './realtime.ts';
import { createInProcessRealtime } from './in-process.ts';

export * from './realtime.ts';

export async function createRealtime(redisUrl?: string, prefix = 'sb'): Promise<RealtimeAdapter> {
  if (!redisUrl) return createInProcessRealtime();
  const { createRedisRealtime } = await import('./redis.ts');
  return createRedisRealtime(redisUrl, prefix);
}
