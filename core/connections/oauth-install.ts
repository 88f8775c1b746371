import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { safeEqual, type Registry } from '../../connectors/kit/index.ts';
import { providerError } from './provider-error.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import { clientCredentialsOf, GrantRefused, requestToken, tokenEndpoint } from './oauth-http.ts';
import { clearAuthFailure, readTokens, saveTokens } from './oauth-store.ts';
import { problemDetails } from './model.ts';
import { loadRuntime, type ConnectionRuntime } from './runtime.ts';
import { findConnectionRow, updateConnection } from './service.ts';

/**
 * The authorization-code install (RFC 6749 §4.1): the admin is sent to the provider's consent page
 * with a `state` that is signed with the org's key (an HMAC via the keyring's blind index), bound
 * to org + connection and valid STATE_TTL_MS; the callback checks it, exchanges the code and
 * stores the tokens. The PKCE verifier (RFC 7636) is derived from the state's nonce with the same
 * key, so nothing has to be stored between the two requests.
 */
export const STATE_TTL_MS = 10 * 60 * 1000;

interface StatePayload {
  o: string;
  c: string;
  e: number;
  n: string;
  /** Where the admin's browser goes back to after the callback (a path on our own origin), when the install started from the dashboard. */
  r?: string;
}

/**
 * A `returnTo` made safe: a path on our own origin, never another site (an open redirect would let
 * a phishing link borrow our domain). Accepted: "/connectors/…" or an absolute URL on publicUrl's
 * origin (kept as its path); refused: other origins, scheme-relative "//host", backslashes, control
 * characters.
 */
export function safeReturnTo(raw: string, publicUrl: string): string {
  const refuse = () => new AppError('validation_failed', 'returnTo must be a path on this server (e.g. /connectors/connections/{id}).', { details: [{ field: '/returnTo', reason: 'must be a same-origin path' }] });
  // eslint-disable-next-line no-control-regex
  if (!raw || raw.length > 500 || /[\\\u0000-\u001f\u007f]/.test(raw)) throw refuse();
  const own = new URL(publicUrl);
  let u: URL;
  try {
    u = new URL(raw, own);
  } catch {
    throw refuse();
  }
  const relative = raw.startsWith('/') && !raw.startsWith('//');
  if (u.origin !== own.origin || (!relative && !/^https?:\/\//i.test(raw))) throw refuse();
  return u.pathname + u.search + u.hash;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
export const callbackUrl = (publicUrl: string) => `${publicUrl}/v1/oauth/callback`;

const pkceVerifier = (tx: TenantTx, nonce: string) => b64(tx.crypto.blindIndex('oauth_pkce', nonce));
const stateMac = (tx: TenantTx, payload: string) => b64(tx.crypto.blindIndex('oauth_state', payload));

function oauthOf(connectors: Registry, tx: TenantTx, connectionId: string) {
  return loadRuntime(tx, connectors, connectionId).then((rt) => {
    const spec = rt.def.oauth;
    if (spec?.flow !== 'authorization_code' || !spec.authorizeUrl) {
      throw new AppError('unprocessable', `Connector ${rt.def.id} has no OAuth authorization-code install.`);
    }
    return { rt, spec };
  });
}

export async function authorizeUrl(
  tx: TenantTx,
  deps: { connectors: Registry; publicUrl: string },
  connectionId: string,
  opts: { returnTo?: string } = {},
  now = Date.now(),
): Promise<{ url: string; expiresAt: string }> {
  const returnTo = opts.returnTo === undefined ? undefined : safeReturnTo(opts.returnTo, deps.publicUrl);
  const { rt, spec } = await oauthOf(deps.connectors, tx, connectionId);
  let client;
  try {
    client = clientCredentialsOf(rt.ctx.secrets);
  } catch {
    throw new AppError('unprocessable', 'Set the connection secrets clientId and clientSecret (your OAuth app) first.');
  }
  const payload: StatePayload = { o: tx.orgId, c: connectionId, e: now + STATE_TTL_MS, n: uuidv7(), ...(returnTo ? { r: returnTo } : {}) };
  const encoded = b64(JSON.stringify(payload));
  const url = new URL(spec.authorizeUrl!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', callbackUrl(deps.publicUrl));
  if (spec.scopes?.length) url.searchParams.set('scope', spec.scopes.join(' '));
  url.searchParams.set('state', `${encoded}.${stateMac(tx, encoded)}`);
  if (spec.pkce) {
    url.searchParams.set('code_challenge', b64(createHash('sha256').update(pkceVerifier(tx, payload.n)).digest()));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { url: url.toString(), expiresAt: new Date(payload.e).toISOString() };
}

const badState = () => new AppError('validation_failed', 'Invalid or expired OAuth state.', { details: [{ field: '/state', reason: 'invalid or expired' }] });

/** The org a state claims: read before the signature can be checked (the key is the org's). */
export function stateOrg(state: string): string {
  try {
    const payload = JSON.parse(Buffer.from(state.split('.')[0] ?? '', 'base64url').toString()) as Partial<StatePayload>;
    if (typeof payload.o === 'string' && /^[0-9a-f-]{36}$/i.test(payload.o)) return payload.o;
  } catch {
    // falls through
  }
  throw badState();
}

/**
 * The connection's config with what the provider's redirect names (OAuthSpec.callbackConfig: the
 * QuickBooks company as `realmId`), validated against the connector's configSchema; null when the
 * connector declares nothing or nothing changes. Checked before the code is spent.
 */
function configFromCallback(rt: ConnectionRuntime, callbackConfig: Record<string, string> | undefined, query: Record<string, unknown>): Record<string, unknown> | null {
  if (!callbackConfig || !Object.keys(callbackConfig).length) return null;
  const config: Record<string, unknown> = { ...rt.row.config };
  for (const [param, field] of Object.entries(callbackConfig)) {
    const value = query[param];
    if (typeof value !== 'string' || !value) {
      throw new AppError('validation_failed', `The provider's redirect did not carry "${param}", which names the account this ${rt.def.id} connection acts for. Connect again from the authorize URL.`, {
        details: [{ field: `/${param}`, reason: 'is required' }],
      });
    }
    config[field] = value;
  }
  const problems = rt.def.validateConfig(config);
  if (problems.length) {
    throw new AppError('validation_failed', `The provider's redirect named an account the ${rt.def.id} config does not accept.`, { details: problemDetails(problems) });
  }
  return JSON.stringify(config) === JSON.stringify(rt.row.config ?? {}) ? null : config;
}

/** The state's payload once its MAC (compared in constant time), org and expiry check out. */
function verifiedState(tx: TenantTx, state: string, now: number): StatePayload {
  const [encoded, mac] = state.split('.');
  if (!encoded || !mac || !safeEqual(mac, stateMac(tx, encoded))) throw badState();
  const payload = JSON.parse(Buffer.from(encoded, 'base64url').toString()) as StatePayload;
  if (payload.o !== tx.orgId || payload.e < now) throw badState();
  return payload;
}

/** The dashboard page to send the browser back to (from a verified state), or null for API callers. */
export function stateReturnTo(tx: TenantTx, state: string, now = Date.now()): string | null {
  return verifiedState(tx, state, now).r ?? null;
}

/**
 * The provider's redirect when the admin did not grant access (RFC 6749 §4.1.2.1: `error`, maybe
 * `error_description`, and our state, no code). With a valid state it is recorded on the connection
 * as `connection.authorization_denied`, so the dashboard can say why the connection is not linked.
 */
export async function recordAuthorizationDenied(tx: TenantTx, input: { state: string; error: string; description?: string }, now = Date.now()): Promise<string> {
  const payload = verifiedState(tx, input.state, now);
  await findConnectionRow(tx, payload.c);
  await appendEvent(tx, { type: 'connection.authorization_denied', subjectId: payload.c, data: { connectionId: payload.c, error: input.error, description: input.description ?? null } });
  return payload.c;
}

/**
 * The callback: state checked, code exchanged, tokens stored, the redirect's declared parameters
 * saved into the config, an errored connection reactivated and its polling due at once (a poll that
 * failed while the connection was not yet authorized backs off; it need not wait that out).
 */
export async function completeAuthorization(
  tx: TenantTx,
  deps: { connectors: Registry; publicUrl: string },
  input: { code: string; state: string; query?: Record<string, unknown> },
  now = Date.now(),
): Promise<{ connectionId: string; scopes: string[] }> {
  const payload = verifiedState(tx, input.state, now);
  await findConnectionRow(tx, payload.c);
  const { rt, spec } = await oauthOf(deps.connectors, tx, payload.c);
  const config = configFromCallback(rt, spec.callbackConfig, input.query ?? {});
  const params: Record<string, string> = { grant_type: 'authorization_code', code: input.code, redirect_uri: callbackUrl(deps.publicUrl) };
  if (spec.pkce) params.code_verifier = pkceVerifier(tx, payload.n);
  try {
    const tokens = await requestToken(tokenEndpoint(spec, config ?? (rt.ctx.config as Record<string, unknown>)), clientCredentialsOf(rt.ctx.secrets), params, now);
    await saveTokens(tx, payload.c, tokens, await readTokens(tx, payload.c));
    if (config) await updateConnection(tx, deps, payload.c, { config });
    await clearAuthFailure(tx, payload.c);
    await tx.trx('poll_schedules').where({ connection_id: payload.c }).update({ next_run_at: tx.trx.fn.now(), failures: 0, updated_at: tx.trx.fn.now() }).returning('connection_id');
    await appendEvent(tx, { type: 'connection.authorized', subjectId: payload.c, data: { connectionId: payload.c, scopes: tokens.scopes } });
    return { connectionId: payload.c, scopes: tokens.scopes };
  } catch (err) {
    if (err instanceof GrantRefused) throw new AppError('unprocessable', `The provider refused the authorization code: ${err.oauthError}.`);
    throw providerError(`${rt.def.displayName} token exchange`, err);
  }
}
