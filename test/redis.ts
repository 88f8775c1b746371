import { Redis } from 'ioredis';

/** Deletes every Redis key under a test prefix (BullMQ keeps finished jobs, so tests clean up after themselves). */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const url = process.env.REDIS_URL;
  if (!url) return;
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
