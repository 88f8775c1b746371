import { ConnectorError, type IntegrationContext, type OAuthSpec, type Registry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { createLogger } from '../logger.ts';
import { clientCredentialsOf, GrantRefused, requestToken, tokenEndpoint, type TokenEndpoint, type TokenSet } from './oauth-http.ts';
import { expireToken, lockConnectionTokens, markAuthFailed, readTokens, saveTokens, type StoredTokens } from './oauth-store.ts';
import { loadRuntime, type ConnectionRuntime } from './runtime.ts';

/**
 * OAuth2 for connections, run by the engine (connectors only read ctx.auth.accessToken()).
 *
 * - A token expiring within REFRESH_MARGIN_MS is refreshed (authorization_code: refresh_token
 *   grant; client_credentials: a new token is minted).
 * - The refresh runs in a transaction holding a per-connection advisory lock, and re-reads the
 *   token once the lock is held: of two workers racing, the second finds the token the first
 *   stored and calls nothing. (The lock is held across the token call on purpose; it is the only
 *   provider call made inside a transaction, bounded by the 15 s request timeout.)
 * - A refused grant (invalid_grant…) marks the connection 'error' + connection.auth_failed event;
 *   every later accessToken() fails fast with auth_failed (not retryable) until re-authorized.
 * - Private-app / personal tokens (secrets.accessToken) are used as they are.
 *
 * Exported for every connector with `oauth` (HubSpot, Pipedrive, QuickBooks, ServiceTitan…):
 *   integrationContext(engine, orgId, connectionIdOrRuntime) → IntegrationContext
 */
export const REFRESH_MARGIN_MS = 60_000;

const log = createLogger('oauth');

export interface OAuthEngine {
  connectors: Registry;
  tenant<T>(orgId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T>;
}

type Secrets = Record<string, unknown>;

const authFailed = (reason: string) =>
  new ConnectorError('auth_failed', `The connection's authorization failed and needs to be renewed: ${reason}`, { retryable: false });

const fresh = (t: StoredTokens | null, now: number) =>
  !!t && !t.failure && !!t.accessToken && (t.expiresAt === undefined || t.expiresAt - now > REFRESH_MARGIN_MS);

type RefreshOutcome = { token: string } | { refused: string };

/** One refresh under the lock; returns what to do once the transaction has committed. */
async function refreshLocked(tx: TenantTx, connectionId: string, spec: OAuthSpec, endpoint: TokenEndpoint, secrets: Secrets, now: () => number): Promise<RefreshOutcome> {
  await lockConnectionTokens(tx, connectionId);
  const current = await readTokens(tx, connectionId);
  if (current?.failure) return { refused: current.failure };
  if (fresh(current, now())) return { token: current!.accessToken };
  const client = clientCredentialsOf(secrets);
  let next: TokenSet;
  try {
    if (spec.flow === 'client_credentials') {
      next = await requestToken(endpoint, client, { grant_type: 'client_credentials', ...(spec.scopes?.length ? { scope: spec.scopes.join(' ') } : {}) }, now());
    } else {
      if (!current?.refreshToken) return { refused: 'no refresh token: authorize the connection again' };
      next = await requestToken(endpoint, client, { grant_type: 'refresh_token', refresh_token: current.refreshToken }, now());
    }
  } catch (err) {
    if (!(err instanceof GrantRefused)) throw err;
    await markAuthFailed(tx, connectionId, err.message);
    log.warn({ connectionId, oauthError: err.oauthError }, 'token refresh refused; connection marked error');
    return { refused: err.message };
  }
  await saveTokens(tx, connectionId, next, current);
  log.info({ connectionId, flow: spec.flow, rotated: !!next.refreshToken }, 'token refreshed');
  return { token: next.accessToken };
}

function createAuth(engine: OAuthEngine, orgId: string, rt: ConnectionRuntime, spec: OAuthSpec, now: () => number): NonNullable<IntegrationContext['auth']> {
  const connectionId = rt.row.id;
  const secrets = rt.ctx.secrets as Secrets;
  const endpoint = tokenEndpoint(spec, rt.ctx.config as Record<string, unknown>);
  let handedOut: string | undefined;

  const accessToken = async (): Promise<string> => {
    const stored = await engine.tenant(orgId, (tx) => readTokens(tx, connectionId));
    if (stored?.failure) throw authFailed(stored.failure);
    if (!stored && typeof secrets.accessToken === 'string' && secrets.accessToken) return (handedOut = secrets.accessToken);
    if (!stored && spec.flow === 'authorization_code') throw authFailed('not authorized yet (GET /v1/connections/{id}/oauth/authorize)');
    if (fresh(stored, now())) return (handedOut = stored!.accessToken);
    const outcome = await engine.tenant(orgId, (tx) => refreshLocked(tx, connectionId, spec, endpoint, secrets, now));
    if ('refused' in outcome) throw authFailed(outcome.refused);
    return (handedOut = outcome.token);
  };

  const invalidate = async (): Promise<void> => {
    // A private-app token cannot be refreshed: the caller's 401 stands.
    if (!handedOut) return;
    const token = handedOut;
    await engine.tenant(orgId, (tx) => expireToken(tx, connectionId, token));
  };

  return { accessToken, invalidate };
}

/**
 * The context integration hooks (crm.*, poll, actions) run with: decrypted config and secrets,
 * plus `auth` when the connector declares oauth. Load it outside any open tenant transaction
 * (PGlite has one connection) and call the connector after.
 */
export async function integrationContext(
  engine: OAuthEngine,
  orgId: string,
  connection: string | ConnectionRuntime,
  opts: { now?: () => number } = {},
): Promise<IntegrationContext & { runtime: ConnectionRuntime }> {
  const rt = typeof connection === 'string' ? await engine.tenant(orgId, (tx) => loadRuntime(tx, engine.connectors, connection)) : connection;
  const now = opts.now ?? Date.now;
  const ctx: IntegrationContext & { runtime: ConnectionRuntime } = { ...rt.ctx, now, runtime: rt };
  if (rt.def.oauth) ctx.auth = createAuth(engine, orgId, rt, rt.def.oauth, now);
  return ctx;
}

/**
 * Runs an integration hook; when it fails with a 401 (ConnectorError auth_failed, httpStatus 401)
 * and the engine manages the token, the token is invalidated and the hook runs exactly once more
 * with a refreshed one. Connectors only throw the 401; the retry is the engine's.
 */
export async function withAuthRetry<T>(ctx: IntegrationContext, hook: () => Promise<T>): Promise<T> {
  try {
    return await hook();
  } catch (err) {
    if (!(ctx.auth && ConnectorError.is(err) && err.httpStatus === 401)) throw err;
    await ctx.auth.invalidate();
    return hook();
  }
}
