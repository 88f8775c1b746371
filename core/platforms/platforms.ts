import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { withPlatform } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { PLATFORM_SCOPES, type PlatformScope } from '../scopes.ts';
import type { Principal } from '../orgs.ts';

/**
 * Platforms and their API keys. A platform key is `sbp_live_…` (an org key is `sb_live_…`): shown
 * once, stored as a SHA-256, looked up through the narrow sb_authenticate_platform definer
 * function, and it carries platform scopes only (core/scopes.ts).
 */
export const PLATFORM_KEY_PREFIX = 'sbp_live_';

export interface PlatformKeyInfo {
  id: string;
  object: 'platform_key';
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

const hashKey = (key: string) => crypto.createHash('sha256').update(key).digest();

export const platformKeyView = (r: any): PlatformKeyInfo => ({
  id: r.id,
  object: 'platform_key',
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

export function validatePlatformScopes(scopes: string[]): PlatformScope[] {
  const bad = scopes.filter((s) => !(PLATFORM_SCOPES as readonly string[]).includes(s));
  if (bad.length) {
    throw new AppError('validation_failed', `Unknown platform scope(s): ${bad.join(', ')}.`, {
      details: bad.map((s) => ({ field: '/scopes', reason: `unknown scope "${s}"; known: ${PLATFORM_SCOPES.join(', ')}` })),
    });
  }
  return scopes as PlatformScope[];
}

/** Inserts a key inside the platform's transaction; returns the plaintext once. */
export async function insertPlatformKey(trx: Knex, platformId: string, opts: { name: string; scopes: string[] }) {
  const secret = PLATFORM_KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const [row] = await trx('platform_keys')
    .insert({
      id: uuidv7(),
      platform_id: platformId,
      name: opts.name,
      prefix: secret.slice(0, PLATFORM_KEY_PREFIX.length + 6),
      key_hash: hashKey(secret),
      scopes: validatePlatformScopes(opts.scopes),
    })
    .returning('*');
  return { key: platformKeyView(row), secret };
}

export interface PlatformView {
  id: string;
  object: 'platform';
  name: string;
  branding: Record<string, unknown>;
  domains: string[];
  createdAt: string;
}

export async function platformView(trx: Knex, row: any): Promise<PlatformView> {
  const domains = await trx('platform_domains').where({ platform_id: row.id }).orderBy('domain').pluck('domain');
  return { id: row.id, object: 'platform', name: row.name, branding: row.branding ?? {}, domains, createdAt: new Date(row.created_at).toISOString() };
}

/** A new platform and its first key (platform:admin), shown once. Operators do this (CLI). */
export async function createPlatform(db: Database, opts: { name: string }): Promise<{ platform: PlatformView; apiKey: string }> {
  const id = uuidv7();
  return withPlatform(db, id, async (trx) => {
    const [row] = await trx('platforms').insert({ id, name: opts.name }).returning('*');
    const { secret } = await insertPlatformKey(trx, id, { name: 'Default key', scopes: ['platform:admin'] });
    return { platform: await platformView(trx, row), apiKey: secret };
  });
}

// Like org keys: principals are cached briefly per process; a revocation here takes effect at once.
const AUTH_CACHE_MS = 5_000;
const caches = new WeakMap<Database, Map<string, { p: Principal | null; at: number }>>();

export async function authenticatePlatform(db: Database, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(PLATFORM_KEY_PREFIX)) return null;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const hit = cache.get(secret);
  if (hit && Date.now() - hit.at < AUTH_CACHE_MS) return hit.p;
  const { rows } = await db.knex.raw('SELECT platform_id, key_id, scopes FROM sb_authenticate_platform(?)', [hashKey(secret)]);
  const r = rows[0];
  const p: Principal | null = r ? { orgId: '', platformId: r.platform_id, keyId: r.key_id, scopes: r.scopes } : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(secret, { p, at: Date.now() });
  return p;
}

export function forgetPlatformKey(db: Database, keyId: string): void {
  const cache = caches.get(db);
  for (const [secret, { p }] of cache ?? []) if (p?.keyId === keyId) cache!.delete(secret);
}
