import { classifyHttpError, ConnectorError, type IntegrationContext } from '../kit/index.ts';
import { hosts, type ServiceTitanConfig, type ServiceTitanSecrets } from './schemas.ts';

export type StCtx = IntegrationContext<ServiceTitanConfig, ServiceTitanSecrets>;

/** ServiceTitan list answers: {page, pageSize, hasMore, totalCount?, data}. */
export interface StPage<T> {
  page: number;
  pageSize: number;
  hasMore: boolean;
  data: T[];
}

/** GET on the tenant's API with the engine-managed bearer token and the app key. */
export async function stGet<T>(ctx: StCtx, path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
  if (!ctx.auth) throw new ConnectorError('auth_failed', 'ServiceTitan needs the engine-managed OAuth token (client credentials).', { retryable: false });
  const base = hosts[ctx.config.environment ?? 'production'].api;
  const url = new URL(`${base}${path.replace('{tenant}', encodeURIComponent(ctx.config.tenantId))}`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${await ctx.auth.accessToken()}`, 'st-app-key': ctx.secrets.appKey, accept: 'application/json' },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    throw new ConnectorError('vendor_unavailable', `ServiceTitan could not be reached: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) {
    await res.text().catch(() => '');
    throw classifyHttpError(res.status, Object.fromEntries(res.headers), { message: `ServiceTitan answered HTTP ${res.status} to GET ${url.pathname}` });
  }
  return (await res.json()) as T;
}
