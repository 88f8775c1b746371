import type { Knex } from 'knex';
import type { Database } from './database.ts';
import type { Keyring, OrgCrypto } from '../crypto/keyring.ts';

/**
 * Everything a change inside one org needs: the transaction (with the tenant setting applied, so
 * row-level security scopes every statement to the org), the pii transaction (the same one unless
 * PII lives in its own database) and the org's crypto.
 */
export interface TenantTx {
  orgId: string;
  trx: Knex.Transaction;
  pii: Knex.Transaction;
  crypto: OrgCrypto;
}

export interface TenantDeps {
  db: Database;
  keyring: Keyring;
}

async function setTenant(trx: Knex.Transaction, orgId: string, platformId?: string) {
  // set_config(..., true) is transaction-local: it cannot leak to the next user of a pooled connection.
  await trx.raw(`SELECT set_config('app.org_id', ?, true)`, [orgId]);
  // A platform acting on one of its orgs: the restrictive orgs policy hides the org unless it is the platform's.
  if (platformId) await trx.raw(`SELECT set_config('app.platform_id', ?, true)`, [platformId]);
}

export async function withTenant<T>(deps: TenantDeps, orgId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const { db, keyring } = deps;
  return db.knex.transaction(async (trx) => {
    await setTenant(trx, orgId);
    const crypto = await keyring.forOrg(trx, orgId);
    if (db.pii === db.knex) return fn({ orgId, trx, pii: trx, crypto });
    // PII in its own database: its transaction commits just before the main one. A crash between
    // the two can leave an orphan contact (harmless: nothing references it), never a dangling reference.
    return db.pii.transaction(async (pii) => {
      await setTenant(pii, orgId);
      return fn({ orgId, trx, pii, crypto });
    });
  });
}

/**
 * A tenant transaction without crypto: for creating an org before its keys exist. With a
 * platform id, the org row is visible only if it belongs to that platform (RLS).
 */
export async function withTenantRaw<T>(db: Database, orgId: string, fn: (trx: Knex.Transaction) => Promise<T>, platformId?: string): Promise<T> {
  return db.knex.transaction(async (trx) => {
    await setTenant(trx, orgId, platformId);
    return fn(trx);
  });
}

/** A platform's own transaction: its row, its keys, its orgs and their usage (RLS on app.platform_id). */
export async function withPlatform<T>(db: Database, platformId: string, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.knex.transaction(async (trx) => {
    await trx.raw(`SELECT set_config('app.platform_id', ?, true)`, [platformId]);
    return fn(trx);
  });
}
