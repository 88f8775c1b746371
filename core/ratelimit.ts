import { Redis } from 'ioredis';

/**
 * Fixed one-minute windows per key (API key id, or client IP for unauthenticated calls). In
 * production the counters live in Redis so every API replica shares them.
 */
export interface RateLimiter {
  /** Counts one hit; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, limit: number): Promise<number>;
  close(): Promise<void>;
}

const WINDOW_S = 60;

export function createMemoryRateLimiter(): RateLimiter {
  const counts = new Map<string, { window: number; n: number }>();
  return {
    async hit(key, limit) {
      const now = Date.now() / 1000;
      const window = Math.floor(now / WINDOW_S);
      const c = counts.get(key);
      if (!c || c.window !== window) {
        if (counts.size > 100_000) counts.clear();
        counts.set(key, { window, n: 1 });
        return 0;
      }
      c.n++;
      return c.n > limit ? Math.ceil((window + 1) * WINDOW_S - now) : 0;
    },
    async close() {},
  };
}

export function createRedisRateLimiter(redisUrl: string, prefix: string): RateLimiter {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  return {
    async hit(key, limit) {
      const now = Date.now() / 1000;
      const window = Math.floor(now / WINDOW_S);
      const k = `${prefix}:rl:${key}:${window}`;
      const [[, n]] = (await redis.multi().incr(k).expire(k, WINDOW_S + 5).exec()) as [[unknown, number]];
      return n > limit ? Math.ceil((window + 1) * WINDOW_S - now) : 0;
    },
    async close() {
      redis.disconnect();
    },
  };
}

export const createRateLimiter = (redisUrl: string | undefined, prefix: string): RateLimiter =>
  redisUrl ? createRedisRateLimiter(redisUrl, prefix) : createMemoryRateLimiter();
