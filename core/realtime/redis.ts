import { Redis } from 'ioredis';
import type { EngineEvent } from '../events/events.ts';
import type { RealtimeAdapter, RealtimeListener } from './realtime.ts';
import { createLogger } from '../logger.ts';
import { connectRedis, redisHealth } from '../redis-health.ts';

const log = createLogger('realtime');

/**
 * Fan-out across processes over Redis pub/sub: one publisher and one subscriber connection per
 * process. A process SUBSCRIBEs to an org's channel only while it has local listeners for that
 * org, so a worker that never serves WebSockets receives nothing. Pub/sub is fire-and-forget:
 * a process that is disconnected misses events, which is why clients resume with ?cursor=.
 */
export async function createRedisRealtime(redisUrl: string, prefix: string): Promise<RealtimeAdapter> {
  const publisher = new Redis(redisUrl, { lazyConnect: true });
  const subscriber = publisher.duplicate();
  for (const [name, conn] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    conn.on('error', (err) => log.warn({ connection: name, err: err.message }, 'redis connection error'));
  }
  await Promise.all([connectRedis(publisher, redisUrl), connectRedis(subscriber, redisUrl)]);

  const channelPrefix = `${prefix}:events:`;
  const listeners = new Map<string, Set<RealtimeListener>>();
  // The SUBSCRIBE in flight or done for each org with listeners: ready(orgId) awaits it.
  const subscribed = new Map<string, Promise<unknown>>();

  subscriber.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(channelPrefix)) return;
    const set = listeners.get(channel.slice(channelPrefix.length));
    if (!set?.size) return;
    let event: EngineEvent;
    try {
      event = JSON.parse(message);
    } catch {
      log.warn({ channel }, 'unreadable realtime message');
      return;
    }
    for (const l of set) {
      try {
        l(event);
      } catch (err) {
        log.warn({ event: event.id, err: (err as Error).message }, 'realtime listener failed');
      }
    }
  });

  const watch = (p: Promise<unknown>, orgId: string) => {
    p.catch((err: Error) => log.warn({ org: orgId, err: err.message }, 'redis subscribe failed'));
    return p;
  };

  return {
    kind: 'redis',
    async publish(event) {
      await publisher.publish(channelPrefix + event.orgId, JSON.stringify(event));
    },
    subscribe(orgId, listener) {
      let set = listeners.get(orgId);
      if (!set) {
        set = new Set();
        listeners.set(orgId, set);
        subscribed.set(orgId, watch(subscriber.subscribe(channelPrefix + orgId), orgId));
      }
      set.add(listener);
      const mine = set;
      return () => {
        mine.delete(listener);
        // Commands on one connection run in order, so a re-subscribe right after this is safe.
        if (!mine.size && listeners.get(orgId) === mine) {
          listeners.delete(orgId);
          subscribed.delete(orgId);
          watch(subscriber.unsubscribe(channelPrefix + orgId), orgId);
        }
      };
    },
    async ready(orgId) {
      await subscribed.get(orgId);
    },
    async health() {
      return redisHealth(publisher, redisUrl, subscriber.status === 'ready');
    },
    async close() {
      listeners.clear();
      subscribed.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
