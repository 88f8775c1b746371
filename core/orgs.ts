import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { Database } from './db/database.ts';
import { withTenantRaw } from './db/tenant.ts';
import type { Keyring } from './crypto/keyring.ts';
import { AppError } from './errors.ts';
import { SCOPES, type Scope } from './scopes.ts';
import { hashSecret, mintSecret } from './secret-keys.ts';
import { principalCache } from './principal-cache.ts';
import { recordAudit, SYSTEM_ACTOR, type AuditActor } from './audit/record.ts';

/**
 * Orgs and API keys. A key is shown once (core/secret-keys.ts) and looked up by its hash through
 * the narrow sb_authenticate definer function.
 */
export const KEY_PREFIX = 'sb_live_';

export interface Org {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  createdAt: string;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

export interface Principal {
  /** '' for a platform key that names no org (core/platforms/auth.ts). */
  orgId: string;
  keyId: string;
  scopes: string[];
  /** Set when a platform key calls: alone, or acting on one of its orgs through Switchboard-Org. */
  platformId?: string;
  /** The org's API key or session answered, but the org is suspended (the API refuses it: 401 org_suspended). */
  suspended?: boolean;
}


export const orgView = (r: any): Org => ({
  id: r.id,
  name: r.name,
  settings: r.settings ?? {},
  createdAt: new Date(r.created_at).toISOString(),
});

export const apiKeyView = (r: any): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

export function validateScopes(scopes: string[]): Scope[] {
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length) {
    throw new AppError('validation_failed', `Unknown scope(s): ${bad.join(', ')}.`, {
      details: bad.map((s) => ({ field: '/scopes', reason: `unknown scope "${s}"; known: ${SCOPES.join(', ')}` })),
    });
  }
  return scopes as Scope[];
}

/** Inserts a key inside a tenant transaction; returns the plaintext once. */
export async function insertApiKey(
  trx: Knex,
  orgId: string,
  opts: { name: string; scopes: string[] },
): Promise<{ key: ApiKeyInfo; secret: string }> {
  const { secret, prefix, hash } = mintSecret(KEY_PREFIX);
  const [row] = await trx('api_keys')
    .insert({
      id: uuidv7(),
      org_id: orgId,
      name: opts.name,
      prefix,
      key_hash: hash,
      scopes: validateScopes(opts.scopes),
    })
    .returning('*');
  return { key: apiKeyView(row), secret };
}

export async function createOrg(
  deps: { db: Database; keyring: Keyring },
  opts: {
    name: string;
    settings?: Record<string, unknown>;
    actor?: AuditActor;
    platformId?: string;
    limits?: Record<string, unknown>;
    /** More writes that commit with the org (a platform's own audit entry). */
    alsoInTransaction?: (trx: Knex.Transaction, created: { orgId: string; apiKeyId: string }) => Promise<void>;
  },
): Promise<{ org: Org; apiKey: string; row: any }> {
  const id = uuidv7();
  return withTenantRaw(deps.db, id, async (trx) => {
    const [row] = await trx('orgs')
      .insert({ id, name: opts.name, settings: opts.settings ?? {}, platform_id: opts.platformId ?? null, limits: opts.limits ?? {} })
      .returning('*');
    await deps.keyring.provision(trx, id);
    const { key, secret } = await insertApiKey(trx, id, { name: 'Default key', scopes: ['admin'] });
    await recordAudit({ orgId: id, trx }, { actor: opts.actor ?? SYSTEM_ACTOR, action: 'org.created', target: { type: 'org', id }, details: { apiKeyId: key.id } });
    await opts.alsoInTransaction?.(trx, { orgId: id, apiKeyId: key.id });
    return { org: orgView(row), apiKey: secret, row };
  }, opts.platformId);
}

const principals = principalCache();

export async function authenticate(db: Database, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(KEY_PREFIX)) return null;
  return principals.lookup(db, secret, async () => {
    const { rows } = await db.knex.raw('SELECT org_id, key_id, scopes, suspended FROM sb_authenticate(?)', [hashSecret(secret)]);
    const r = rows[0];
    return r ? { orgId: r.org_id, keyId: r.key_id, scopes: r.scopes, ...(r.suspended ? { suspended: true } : {}) } : null;
  });
}

/** Drops cached principals of a key (after revocation) or of a whole org (after deletion). */
export function forgetPrincipals(db: Database, match: { keyId?: string; orgId?: string }): void {
  principals.forget(db, (p) => p.keyId === match.keyId || p.orgId === match.orgId);
}

export async function listOrgIds(db: Database): Promise<string[]> {
  const { rows } = await db.knex.raw('SELECT sb_org_ids() AS id');
  return rows.map((r: { id: string }) => r.id);
}
