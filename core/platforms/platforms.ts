import { hashSecret, mintSecret } from '../secret-keys.ts';
import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { withPlatform } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { PLATFORM_SCOPES, type PlatformScope } from '../scopes.ts';
import type { Principal } from '../orgs.ts';
import { recordPlatformAudit } from './audit.ts';
import { principalCache } from '../principal-cache.ts';

/**
 * Platforms and their API keys. A platform key is `sbp_live_…` (an org key is `sb_live_…`): shown
 * once (core/secret-keys.ts, as org keys), looked up through the narrow sb_authenticate_platform definer
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
  const { secret, prefix, hash } = mintSecret(PLATFORM_KEY_PREFIX);
  const [row] = await trx('platform_keys')
    .insert({
      id: uuidv7(),
      platform_id: platformId,
      name: opts.name,
      prefix,
      key_hash: hash,
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
    const { key, secret } = await insertPlatformKey(trx, id, { name: 'Default key', scopes: ['platform:admin'] });
    await recordPlatformAudit(trx, { type: 'platform', id, keyId: null }, { action: 'platform_key.created', target: { type: 'platform_key', id: key.id }, details: { scopes: key.scopes } });
    return { platform: await platformView(trx, row), apiKey: secret };
  });
}

const principals = principalCache();

export async function authenticatePlatform(db: Database, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(PLATFORM_KEY_PREFIX)) return null;
  return principals.lookup(db, secret, async () => {
    const { rows } = await db.knex.raw('SELECT platform_id, key_id, scopes FROM sb_authenticate_platform(?)', [hashSecret(secret)]);
    const r = rows[0];
    return r ? { orgId: '', platformId: r.platform_id, keyId: r.key_id, scopes: r.scopes } : null;
  });
}

export function forgetPlatformKey(db: Database, keyId: string): void {
  principals.forget(db, (p) => p.keyId === keyId);
}
