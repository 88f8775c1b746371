import type { Database } from './db/database.ts';
import type { Principal } from './orgs.ts';

/**
 * Auth is on every request's hot path: the principal a bearer secret names is cached briefly per
 * process (and per database). A revocation through this process forgets it at once; other
 * replicas notice within CACHE_MS. One cache per kind of key (org keys, platform keys).
 */
const CACHE_MS = 5_000;
const MAX_ENTRIES = 10_000;

export function principalCache() {
  const caches = new WeakMap<Database, Map<string, { p: Principal | null; at: number }>>();
  const of = (db: Database) => {
    let cache = caches.get(db);
    if (!cache) caches.set(db, (cache = new Map()));
    return cache;
  };
  return {
    async lookup(db: Database, secret: string, load: () => Promise<Principal | null>): Promise<Principal | null> {
      const cache = of(db);
      const hit = cache.get(secret);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.p;
      const p = await load();
      if (cache.size > MAX_ENTRIES) cache.clear();
      cache.set(secret, { p, at: Date.now() });
      return p;
    },
    /** Forgets every cached principal the predicate matches (a revoked key, a deleted or suspended org). */
    forget(db: Database, matches: (p: Principal) => boolean): void {
      const cache = of(db);
      for (const [secret, { p }] of cache) if (p && matches(p)) cache.delete(secret);
    },
  };
}
