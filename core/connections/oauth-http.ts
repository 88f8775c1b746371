import { ConnectorError, classifyHttpError, type OAuthSpec } from '../../connectors/kit/index.ts';

/**
 * The token endpoint (RFC 6749 §4.1.3, §4.4, §6): one form-encoded POST, client credentials in a
 * Basic header or the body as the provider wants. Answers are normalized into TokenSet; a refusal
 * of the grant (invalid_grant, and invalid_client/unauthorized_client, which re-trying cannot fix
 * either) is told apart from transient failures, because only the latter may be retried.
 */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Absolute expiry (ms since the epoch); undefined = the provider did not say. */
  expiresAt?: number;
  scopes: string[];
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The grant was refused: the connection needs a new authorization, not a retry. */
export class GrantRefused extends Error {
  constructor(readonly oauthError: string, description?: string) {
    super(`Token endpoint refused the grant: ${oauthError}${description ? ` (${description})` : ''}`);
    this.name = 'GrantRefused';
  }
}

const FATAL = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'unsupported_grant_type']);

export function clientCredentialsOf(secrets: Record<string, unknown>): ClientCredentials {
  const clientId = secrets.clientId;
  const clientSecret = secrets.clientSecret;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !clientId || !clientSecret) {
    throw new ConnectorError('auth_failed', 'The connection has no OAuth client (secrets clientId and clientSecret).', { retryable: false });
  }
  return { clientId, clientSecret };
}

/** Where and how a connection asks for tokens: the spec's token URL resolved for the connection's config. */
export interface TokenEndpoint {
  tokenUrl: string;
  clientAuth?: OAuthSpec['clientAuth'];
}

export function tokenEndpoint(spec: OAuthSpec, config: Record<string, unknown>): TokenEndpoint {
  return { tokenUrl: typeof spec.tokenUrl === 'function' ? spec.tokenUrl(config) : spec.tokenUrl, ...(spec.clientAuth ? { clientAuth: spec.clientAuth } : {}) };
}

export async function requestToken(
  spec: TokenEndpoint,
  client: ClientCredentials,
  params: Record<string, string>,
  now = Date.now(),
): Promise<TokenSet> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if ((spec.clientAuth ?? 'basic') === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = 'Basic ' + Buffer.from(`${enc(client.clientId)}:${enc(client.clientSecret)}`).toString('base64');
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  let res: Response;
  try {
    res = await fetch(spec.tokenUrl, { method: 'POST', headers, body: form.toString(), signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new ConnectorError('vendor_unavailable', 'Token endpoint unreachable', { cause: err });
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Some providers answer errors in HTML; the status decides then.
  }
  if (!res.ok) {
    const code = typeof json.error === 'string' ? json.error : undefined;
    if (code && FATAL.has(code) && res.status < 500) {
      throw new GrantRefused(code, typeof json.error_description === 'string' ? json.error_description : undefined);
    }
    throw classifyHttpError(res.status, res.headers, { message: `Token endpoint answered HTTP ${res.status}${code ? ` (${code})` : ''}` });
  }
  if (typeof json.access_token !== 'string' || !json.access_token) {
    throw new ConnectorError('vendor_unavailable', 'Token endpoint answered without an access_token');
  }
  const expiresIn = Number(json.expires_in);
  return {
    accessToken: json.access_token,
    ...(typeof json.refresh_token === 'string' && json.refresh_token ? { refreshToken: json.refresh_token } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: now + expiresIn * 1000 } : {}),
    scopes: typeof json.scope === 'string' ? json.scope.split(/[\s,]+/).filter(Boolean) : [],
  };
}
