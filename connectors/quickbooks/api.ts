import { classifyHttpError, ConnectorError, type IntegrationContext } from '../kit/index.ts';
import { apiBase, DEFAULT_MINOR_VERSION, type QuickBooksConfig, type QuickBooksSecrets } from './schemas.ts';

export type QuickBooksApiCtx = IntegrationContext<QuickBooksConfig, QuickBooksSecrets>;

/**
 * The company this connection acts for. It comes from Intuit's OAuth redirect (saved by the engine,
 * oauth.callbackConfig): without it nothing can be read, and only connecting the company fixes that.
 */
export function realmOf(ctx: Pick<QuickBooksApiCtx, 'config'>): string {
  const realmId = ctx.config.realmId;
  if (!realmId) {
    throw new ConnectorError('auth_failed', 'This QuickBooks connection has no company yet: connect the company (GET /v1/connections/{id}/oauth/authorize); Intuit names it on the redirect.', {
      retryable: false,
    });
  }
  return realmId;
}

/**
 * GET {base}/v3/company/{realmId}/{path}?minorversion=… with the engine's bearer token: the one way
 * the connector reads the Accounting API (fetch_entity, CDC polling). Failures are classified by
 * status: 401 → auth_failed (the engine's withAuthRetry refreshes the token and calls once more),
 * 429 → rate_limited with Retry-After, 5xx → vendor_unavailable; a network failure is
 * vendor_unavailable too. `what` names the read in error messages (never the answer's body: Intuit's
 * faults can quote the company's data).
 */
export async function qbGet<T>(ctx: QuickBooksApiCtx, path: string, query: Record<string, string>, what: string): Promise<T> {
  if (!ctx.auth) throw new ConnectorError('auth_failed', 'QuickBooks needs the engine-managed OAuth token (connect the company first).', { retryable: false });
  const realmId = realmOf(ctx);
  const base = apiBase[ctx.config.environment ?? 'production'];
  const url = new URL(`${base}/v3/company/${encodeURIComponent(realmId)}/${path}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  url.searchParams.set('minorversion', String(ctx.config.minorVersion ?? DEFAULT_MINOR_VERSION));
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${await ctx.auth.accessToken()}`, accept: 'application/json' },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    throw new ConnectorError('vendor_unavailable', `QuickBooks could not be reached: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) {
    await res.text().catch(() => '');
    throw classifyHttpError(res.status, Object.fromEntries(res.headers), { message: `QuickBooks answered HTTP ${res.status} to GET ${what}` });
  }
  return (await res.json()) as T;
}
