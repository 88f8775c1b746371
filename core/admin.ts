import type { Knex } from 'knex';
import type { Database } from './db/database.ts';
import { withTenantRaw } from './db/tenant.ts';
import { rewrapAll, type Keyring } from './crypto/keyring.ts';
import { masterFingerprint } from './crypto/master.ts';
import { forgetPrincipals, insertApiKey, listOrgIds, orgView, type ApiKeyInfo, type Org } from './orgs.ts';
import { notFound } from './errors.ts';
import { recordAudit, type AuditActor } from './audit/record.ts';

/**
 * Operator actions across orgs: what the CLI does, either directly on the database or through the
 * running server's local admin endpoint. Each org is touched in its own tenant transaction, so
 * these run as the app role under row-level security like everything else.
 */
interface Deps {
  db: Database;
  keyring: Keyring;
}

/** Operators act through the CLI (directly or through the running server's admin endpoint). */
export const CLI_ACTOR: AuditActor = { type: 'cli', id: null };

async function liveOrg(trx: Knex, orgId: string) {
  const row = await trx('orgs').where({ id: orgId }).whereNull('deleted_at').first();
  if (!row) throw notFound('org');
  return row;
}

export async function listOrgs(deps: Deps): Promise<Org[]> {
  const orgs: Org[] = [];
  for (const id of await listOrgIds(deps.db)) {
    orgs.push(orgView(await withTenantRaw(deps.db, id, (trx) => liveOrg(trx, id))));
  }
  return orgs;
}

/** A new data key version for new writes, for one org or all; older versions keep decrypting. */
export async function rotateDataKeys(deps: Deps, orgId?: string, actor = CLI_ACTOR): Promise<{ orgId: string; version: number }[]> {
  const ids = orgId ? [orgId] : await listOrgIds(deps.db);
  const rotated: { orgId: string; version: number }[] = [];
  for (const id of ids) {
    const version = await withTenantRaw(deps.db, id, async (trx) => {
      await liveOrg(trx, id);
      const v = await deps.keyring.rotate(trx, id);
      await recordAudit({ orgId: id, trx }, { actor, action: 'keys.rotated', target: { type: 'org', id }, details: { version: v } });
      return v;
    });
    rotated.push({ orgId: id, version });
  }
  return rotated;
}

/**
 * A new API key for an org, from the operator's side: the way back in when the org's only key is
 * lost (the demo key is shown once). Admin scope unless told otherwise; audited like one made
 * through the API.
 */
export async function createApiKey(
  deps: Deps,
  orgId: string,
  opts: { name?: string; scopes?: string[] } = {},
  actor = CLI_ACTOR,
): Promise<{ key: ApiKeyInfo; secret: string }> {
  return withTenantRaw(deps.db, orgId, async (trx) => {
    await liveOrg(trx, orgId);
    const created = await insertApiKey(trx, orgId, { name: opts.name ?? 'CLI key', scopes: opts.scopes ?? ['admin'] });
    await recordAudit({ orgId, trx }, { actor, action: 'api_key.created', target: { type: 'api_key', id: created.key.id }, details: { scopes: created.key.scopes } });
    return created;
  });
}

/**
 * Deletes an org by destroying its keys (crypto-shredding): every encrypted value it ever stored
 * becomes unreadable at once, in the database and in every backup, and its API keys stop working.
 */
export async function deleteOrg(
  deps: Deps,
  orgId: string,
  actor = CLI_ACTOR,
  platformId?: string,
  alsoInTransaction?: (trx: Knex.Transaction, deleted: { apiKeysRevoked: number }) => Promise<void>,
): Promise<void> {
  // With a platform id the org is found only if it is that platform's (RLS): a platform deletes its own orgs.
  await withTenantRaw(deps.db, orgId, async (trx) => {
    await liveOrg(trx, orgId);
    const revoked = await trx('api_keys').where({ org_id: orgId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() }).returning('id');
    await deps.keyring.shred(trx, orgId);
    // The trail outlives the org: it holds no encrypted data, so it stays verifiable after the shredding.
    await recordAudit({ orgId, trx }, { actor, action: 'org.deleted', target: { type: 'org', id: orgId }, details: { apiKeysRevoked: revoked.length } });
    await alsoInTransaction?.(trx, { apiKeysRevoked: revoked.length });
  }, platformId);
  // This process (the running server, when the CLI came through it) refuses the keys at once.
  forgetPrincipals(deps.db, { orgId });
}

/**
 * Re-wraps every org key under a new master key and records the new key's fingerprint, in one
 * transaction (owner role: it crosses tenants). A crash leaves either the old key or the new one
 * valid, never a mix.
 */
export async function rotateMasterKey(owner: Knex, oldMaster: Buffer, newMaster: Buffer): Promise<number> {
  return owner.transaction(async (trx) => {
    const n = await rewrapAll(trx, oldMaster, newMaster);
    await trx('system_settings').where({ key: 'master_fingerprint' }).update({ value: masterFingerprint(newMaster) });
    return n;
  });
}
