import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ConnectorError, type Registry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import { clientCredentialsOf, GrantRefused, requestToken } from './oauth-http.ts';
import { clearAuthFailure, readTokens, saveTokens } from './oauth-store.ts';
import { loadRuntime } from './runtime.ts';
import { findConnectionRow } from './service.ts';

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

export async function authorizeUrl(tx: TenantTx, deps: { connectors: Registry; publicUrl: string }, connectionId: string, now = Date.now()): Promise<{ url: string; expiresAt: string }> {
  const { rt, spec } = await oauthOf(deps.connectors, tx, connectionId);
  let client;
  try {
    client = clientCredentialsOf(rt.ctx.secrets);
  } catch {
    throw new AppError('unprocessable', 'Set the connection secrets clientId and clientSecret (your OAuth app) first.');
  }
  const payload: StatePayload = { o: tx.orgId, c: connectionId, e: now + STATE_TTL_MS, n: uuidv7() };
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

/** The callback: state checked, code exchanged, tokens stored, an errored connection reactivated. */
export async function completeAuthorization(
  tx: TenantTx,
  deps: { connectors: Registry; publicUrl: string },
  input: { code: string; state: string },
  now = Date.now(),
): Promise<{ connectionId: string; scopes: string[] }> {
  const [encoded, mac] = input.state.split('.');
  if (!encoded || !mac || mac !== stateMac(tx, encoded)) throw badState();
  const payload = JSON.parse(Buffer.from(encoded, 'base64url').toString()) as StatePayload;
  if (payload.o !== tx.orgId || payload.e < now) throw badState();
  await findConnectionRow(tx, payload.c);
  const { rt, spec } = await oauthOf(deps.connectors, tx, payload.c);
  const params: Record<string, string> = { grant_type: 'authorization_code', code: input.code, redirect_uri: callbackUrl(deps.publicUrl) };
  if (spec.pkce) params.code_verifier = pkceVerifier(tx, payload.n);
  try {
    const tokens = await requestToken(spec, clientCredentialsOf(rt.ctx.secrets), params, now);
    await saveTokens(tx, payload.c, tokens, await readTokens(tx, payload.c));
    await clearAuthFailure(tx, payload.c);
    await appendEvent(tx, { type: 'connection.authorized', subjectId: payload.c, data: { connectionId: payload.c, scopes: tokens.scopes } });
    return { connectionId: payload.c, scopes: tokens.scopes };
  } catch (err) {
    if (err instanceof GrantRefused) throw new AppError('unprocessable', `The provider refused the authorization code: ${err.oauthError}.`);
    if (ConnectorError.is(err)) throw new AppError('unprocessable', `Token exchange failed: ${err.message}`);
    throw err;
  }
}
