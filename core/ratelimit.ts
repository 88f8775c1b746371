import { Redis } from 'ioredis';
import { createLogger } from './logger.ts';

const log = createLogger('ratelimit');

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

/**
 * While Redis is away (not connected, or a command fails) the limits fall back to this process's
 * own counters: the API keeps serving with per-replica limits instead of answering every request
 * 500. The offline queue is off so a hit never waits on a reconnect.
 */
export function createRedisRateLimiter(redisUrl: string, prefix: string): RateLimiter {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  const fallback = createMemoryRateLimiter();
  let degraded = false;
  const degrade = (err: unknown) => {
    if (!degraded) log.warn({ err: (err as Error)?.message }, 'redis unavailable: rate limits are per process until it is back');
    degraded = true;
  };
  redis.on('error', degrade);
  redis.on('ready', () => {
    if (degraded) log.info('redis is back: rate limits are shared again');
    degraded = false;
  });
  return {
    async hit(key, limit) {
      if (redis.status !== 'ready') return fallback.hit(key, limit);
      const now = Date.now() / 1000;
      const window = Math.floor(now / WINDOW_S);
      const k = `${prefix}:rl:${key}:${window}`;
      try {
        const [[err, n]] = (await redis.multi().incr(k).expire(k, WINDOW_S + 5).exec()) as [[Error | null, number]];
        if (err) throw err;
        return n > limit ? Math.ceil((window + 1) * WINDOW_S - now) : 0;
      } catch (err) {
        degrade(err);
        return fallback.hit(key, limit);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

export const createRateLimiter = (redisUrl: string | undefined, prefix: string): RateLimiter =>
  redisUrl ? createRedisRateLimiter(redisUrl, prefix) : createMemoryRateLimiter();

/**
 * Pacing, per key (a sender): each call reserves the next free slot at `perSecond` and returns the
 * milliseconds to wait for it. Slots are spaced evenly (no burst), which is what carriers meter:
 * a 10DLC number allowed 1 message per second must not send 5 in the first second. In production
 * the schedule lives in Redis so every worker shares one pace per sender.
 */
export interface Pacer {
  reserve(key: string, perSecond: number): Promise<number>;
  close(): Promise<void>;
}

export function createMemoryPacer(): Pacer {
  const nextFree = new Map<string, number>();
  return {
    async reserve(key, perSecond) {
      const now = Date.now();
      if (nextFree.size > 100_000) for (const [k, t] of nextFree) if (t < now) nextFree.delete(k);
      const start = Math.max(now, nextFree.get(key) ?? 0);
      nextFree.set(key, start + 1000 / perSecond);
      return start - now;
    },
    async close() {},
  };
}

// Redis's own clock (TIME), so workers with skewed clocks still share one schedule.
const RESERVE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local nextFree = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(nextFree), 'PX', math.ceil(nextFree - now) + 1000)
return math.floor(start - now)
`;

export function createRedisPacer(redisUrl: string, prefix: string): Pacer {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  return {
    async reserve(key, perSecond) {
      return Number(await redis.eval(RESERVE_SLOT, 1, `${prefix}:pace:${key}`, String(1000 / perSecond)));
    },
    async close() {
      redis.disconnect();
    },
  };
}

export const createPacer = (redisUrl: string | undefined, prefix: string): Pacer =>
  redisUrl ? createRedisPacer(redisUrl, prefix) : createMemoryPacer();
