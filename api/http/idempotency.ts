import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Engine } from '../../core/engine.ts';
import type { Principal } from '../../core/orgs.ts';
import { withPlatform } from '../../core/db/tenant.ts';
import { open, seal } from '../../core/crypto/aead.ts';
import { AppError } from '../../core/errors.ts';

export interface Outcome {
  status: number;
  body: unknown;
  replayed?: boolean;
}

// A claim whose request died without finishing is released after this long.
const STALE_CLAIM_MS = 60_000;

/**
 * Where a caller's keys live: an org's in idempotency_keys (sealed with the org's key), a
 * platform's own calls in platform_idempotency_keys (sealed with a master-derived key, as the
 * answer may hold a secret). Each runs `fn` in a transaction scoped (RLS) to that tenant.
 */
interface Sealer {
  seal(scoped: string, value: unknown): Buffer | null;
  open(scoped: string, blob: Buffer): unknown;
}
interface KeyStore {
  table: string;
  owner: Record<string, string>;
  run<T>(fn: (trx: Knex.Transaction, sealer: Sealer) => Promise<T>): Promise<T>;
}

const orgStore = (engine: Engine, orgId: string): KeyStore => ({
  table: 'idempotency_keys',
  owner: { org_id: orgId },
  run: (fn) =>
    engine.tenant(orgId, (tx) =>
      fn(tx.trx, { seal: (k, v) => tx.crypto.encryptJson(k, 'response', v), open: (k, b) => tx.crypto.decryptJson(k, 'response', b) }),
    ),
});

function platformStore(engine: Engine, platformId: string): KeyStore {
  const key = engine.keyring.systemKey('platform-idempotency');
  const aad = (scoped: string) => `switchboard/platform-idempotency/${platformId}/${scoped}`;
  const sealer: Sealer = {
    seal: (k, v) => seal(key, 0, Buffer.from(JSON.stringify(v ?? null)), aad(k)),
    open: (k, b) => JSON.parse(open(key, Buffer.from(b), aad(k)).toString('utf8')),
  };
  return { table: 'platform_idempotency_keys', owner: { platform_id: platformId }, run: (fn) => withPlatform(engine.db, platformId, (trx) => fn(trx, sealer)) };
}

/**
 * Stripe-style Idempotency-Key on POST: the same key with the same body replays the first
 * response; with another body it is a 409. Keys are per calling API key, kept by the org it acts
 * on (an org key, or a platform key through Switchboard-Org) or, for a platform's own calls, by
 * the platform. Only completed 2xx/4xx answers are kept; a 5xx frees the key for a retry.
 */
export async function withIdempotency(engine: Engine, req: Request, auth: Principal, run: () => Promise<Outcome>): Promise<Outcome> {
  const key = req.get('Idempotency-Key');
  if (!key) return run();
  if (key.length > 255) throw new AppError('validation_failed', 'Idempotency-Key must be at most 255 characters.', { details: [{ field: 'Idempotency-Key', reason: 'too long' }] });
  const requestHash = crypto
    .createHash('sha256')
    .update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`)
    .digest();
  const scoped = `${auth.keyId}:${key}`;
  const store = auth.orgId ? orgStore(engine, auth.orgId) : platformStore(engine, auth.platformId!);
  const row = (trx: Knex) => trx(store.table).where({ ...store.owner, key: scoped });

  const existing = await store.run(async (trx, sealer) => {
    const inserted = await trx(store.table)
      .insert({ ...store.owner, key: scoped, request_hash: requestHash })
      .onConflict([...Object.keys(store.owner), 'key'])
      .ignore()
      .returning('key');
    if (inserted.length) return null;
    const found = await row(trx).first();
    if (!Buffer.from(found.request_hash).equals(requestHash)) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
    }
    if (found.status_code === null) {
      if (Date.now() - new Date(found.created_at).getTime() < STALE_CLAIM_MS) {
        throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed.', { retryAfter: 1 });
      }
      await row(trx).update({ created_at: trx.fn.now() });
      return null;
    }
    return { status: found.status_code, body: sealer.open(scoped, found.response_enc), replayed: true } as Outcome;
  });
  if (existing) return existing;

  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (err) {
    const status = err instanceof AppError ? err.status : 500;
    await store.run(async (trx, sealer) => {
      if (status >= 500) await row(trx).delete();
      else await row(trx).update({ status_code: status, response_enc: sealer.seal(scoped, (err as AppError).toJSON()) });
    });
    throw err;
  }
  await store.run((trx, sealer) => row(trx).update({ status_code: outcome.status, response_enc: sealer.seal(scoped, outcome.body ?? null) }));
  return outcome;
}
