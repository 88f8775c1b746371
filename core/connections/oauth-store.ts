import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import type { TokenSet } from './oauth-http.ts';

/**
 * connection_tokens: the tokens the engine manages for a connection. Access and refresh token are
 * sealed in ONE ciphertext (under the connection id), so a rotated refresh token is always stored
 * in the same write as the access token it came with.
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number;
  scopes: string[];
  failure: string | null;
}

interface TokenRow {
  connection_id: string;
  tokens_enc: Buffer | Uint8Array;
  expires_at: Date | string | null;
  scopes: string[];
  failure: string | null;
}

export async function readTokens(tx: TenantTx, connectionId: string): Promise<StoredTokens | null> {
  const row: TokenRow | undefined = await tx.trx('connection_tokens').where({ connection_id: connectionId }).first();
  if (!row) return null;
  const sealed = tx.crypto.decryptJson<{ accessToken: string; refreshToken?: string }>(connectionId, 'oauth_tokens', Buffer.from(row.tokens_enc));
  return {
    accessToken: sealed?.accessToken ?? '',
    ...(sealed?.refreshToken ? { refreshToken: sealed.refreshToken } : {}),
    ...(row.expires_at ? { expiresAt: new Date(row.expires_at).getTime() } : {}),
    scopes: row.scopes ?? [],
    failure: row.failure,
  };
}

/**
 * Stores a fresh token set. A provider that does not rotate refresh tokens answers a refresh
 * without one: the previous refresh token is kept.
 */
export async function saveTokens(tx: TenantTx, connectionId: string, tokens: TokenSet, previous?: StoredTokens | null): Promise<void> {
  const refreshToken = tokens.refreshToken ?? previous?.refreshToken;
  const values = {
    tokens_enc: tx.crypto.encryptJson(connectionId, 'oauth_tokens', { accessToken: tokens.accessToken, ...(refreshToken ? { refreshToken } : {}) }),
    expires_at: tokens.expiresAt ? new Date(tokens.expiresAt) : null,
    scopes: tokens.scopes.length ? tokens.scopes : (previous?.scopes ?? []),
    failure: null,
    failed_at: null,
    refreshed_at: tx.trx.fn.now(),
  };
  await tx.trx('connection_tokens')
    .insert({ connection_id: connectionId, org_id: tx.orgId, ...values })
    .onConflict('connection_id')
    .merge(values);
}

/** After a 401: the token in hand is expired on the spot, unless another worker already replaced it. */
export async function expireToken(tx: TenantTx, connectionId: string, accessToken: string): Promise<void> {
  const current = await readTokens(tx, connectionId);
  if (current && current.accessToken === accessToken) {
    await tx.trx('connection_tokens').where({ connection_id: connectionId }).update({ expires_at: new Date(0) }).returning('connection_id');
  }
}

/**
 * The provider refused the refresh (revoked, expired refresh token, client changed): the connection
 * goes to status error with the reason, and an event says so. Calls then fail fast until a new
 * authorization stores fresh tokens; the failure is never retried in a loop.
 */
export async function markAuthFailed(tx: TenantTx, connectionId: string, reason: string): Promise<void> {
  await tx.trx('connection_tokens').where({ connection_id: connectionId }).update({ failure: reason, failed_at: tx.trx.fn.now() }).returning('connection_id');
  await tx.trx('connections').where({ id: connectionId }).update({ status: 'error', status_reason: reason, updated_at: tx.trx.fn.now() }).returning('id');
  await appendEvent(tx, { type: 'connection.auth_failed', subjectId: connectionId, data: { connectionId, reason } });
}

/** A successful (re-)authorization brings an errored connection back. */
export async function clearAuthFailure(tx: TenantTx, connectionId: string): Promise<void> {
  await tx.trx('connections').where({ id: connectionId, status: 'error' }).update({ status: 'active', status_reason: null, updated_at: tx.trx.fn.now() }).returning('id');
}

/** Transaction-scoped advisory lock per connection: one refresher at a time across every worker. */
export async function lockConnectionTokens(tx: TenantTx, connectionId: string): Promise<void> {
  await tx.trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [`oauth:${connectionId}`]);
}
