import type { Redis } from 'ioredis';
import { AppError } from './errors.ts';

/**
 * What every Redis user of the process (queues, realtime, rate limits, pacing) says when Redis is
 * away: the URL without its password and what to check, at start (instead of "Connection is
 * closed" and a stack) and in /v1/health (a 503 naming the dependency, answered at once instead
 * of waiting on a command queued for a reconnect that may never come).
 */
export function redisLabel(redisUrl: string): string {
  try {
    const u = new URL(redisUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}

export async function connectRedis(conn: Redis, redisUrl: string): Promise<void> {
  // connect() rejects with a bare "Connection is closed."; the cause (ECONNREFUSED, ENOTFOUND,
  // NOAUTH…) arrives as an 'error' event just before.
  let cause: Error | undefined;
  const remember = (err: Error) => (cause ??= err);
  conn.on('error', remember);
  try {
    await conn.connect();
  } catch (err) {
    conn.disconnect();
    throw new AppError(
      'config_invalid',
      `Redis at ${redisLabel(redisUrl)} could not be reached (${(cause ?? (err as Error)).message}). Check REDIS_URL, that Redis is running, and that this host may connect to it.`,
    );
  } finally {
    conn.off('error', remember);
  }
}

const PING_TIMEOUT_MS = 2_000;

export async function redisHealth(conn: Redis, redisUrl: string, extraOk = true): Promise<{ ok: boolean; detail?: string }> {
  const down = (why: string) => ({ ok: false, detail: `Redis at ${redisLabel(redisUrl)} is unreachable (${why})` });
  if (conn.status !== 'ready') return down(conn.status);
  let timer: NodeJS.Timeout | undefined;
  try {
    const pong = await Promise.race([conn.ping(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no PONG within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS)))]);
    return pong === 'PONG' && extraOk ? { ok: true } : down('not ready');
  } catch (err) {
    return down((err as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
