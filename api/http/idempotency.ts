import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Engine } from '../../core/engine.ts';
import type { Principal } from '../../core/orgs.ts';
import { AppError } from '../../core/errors.ts';

export interface Outcome {
  status: number;
  body: unknown;
  replayed?: boolean;
}

// A claim whose request died without finishing is released after this long.
const STALE_CLAIM_MS = 60_000;

/**
 * Stripe-style Idempotency-Key on POST: the same key with the same body replays the first
 * response; with another body it is a 409. The stored response is encrypted (it may hold message
 * bodies). Only completed 2xx/4xx answers are kept; a 5xx frees the key for a retry.
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

  const existing = await engine.tenant(auth.orgId, async (tx) => {
    const inserted = await tx.trx('idempotency_keys')
      .insert({ org_id: tx.orgId, key: scoped, request_hash: requestHash })
      .onConflict(['org_id', 'key'])
      .ignore()
      .returning('key');
    if (inserted.length) return null;
    const row = await tx.trx('idempotency_keys').where({ key: scoped }).first();
    if (!Buffer.from(row.request_hash).equals(requestHash)) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
    }
    if (row.status_code === null) {
      if (Date.now() - new Date(row.created_at).getTime() < STALE_CLAIM_MS) {
        throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed.', { retryAfter: 1 });
      }
      await tx.trx('idempotency_keys').where({ key: scoped }).update({ created_at: tx.trx.fn.now() });
      return null;
    }
    return { status: row.status_code, body: tx.crypto.decryptJson(scoped, 'response', row.response_enc), replayed: true } as Outcome;
  });
  if (existing) return existing;

  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (err) {
    const status = err instanceof AppError ? err.status : 500;
    await engine.tenant(auth.orgId, async (tx) => {
      if (status >= 500) await tx.trx('idempotency_keys').where({ key: scoped }).delete();
      else {
        await tx.trx('idempotency_keys')
          .where({ key: scoped })
          .update({ status_code: status, response_enc: tx.crypto.encryptJson(scoped, 'response', (err as AppError).toJSON()) });
      }
    });
    throw err;
  }
  await engine.tenant(auth.orgId, (tx) =>
    tx.trx('idempotency_keys')
      .where({ key: scoped })
      .update({ status_code: outcome.status, response_enc: tx.crypto.encryptJson(scoped, 'response', outcome.body ?? null) }),
  );
  return outcome;
}
