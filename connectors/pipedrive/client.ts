import { v1, v2 } from 'pipedrive';
import { ConnectorError, classifyHttpError, type IntegrationContext } from '../kit/index.ts';
import type { PipedriveConfig, PipedriveSecrets } from './schemas.ts';

export type PipedriveContext = IntegrationContext<PipedriveConfig, PipedriveSecrets>;

/**
 * SDK configurations for one call: the API token (x-api-token header) or the OAuth access token
 * the engine hands out (Bearer). v2 serves persons, v1 still serves notes.
 */
export async function pipedriveConfig(ctx: PipedriveContext): Promise<{ v1: v1.Configuration; v2: v2.Configuration }> {
  const origin = (ctx.config.apiDomain ?? 'https://api.pipedrive.com').replace(/\/$/, '');
  let auth: { apiKey: string } | { accessToken: string };
  if (ctx.secrets.apiToken) auth = { apiKey: ctx.secrets.apiToken };
  else if (ctx.auth) auth = { accessToken: await ctx.auth.accessToken() };
  else throw new ConnectorError('auth_failed', 'Pipedrive: no API token and no OAuth authorization.', { retryable: false });
  return {
    v1: new v1.Configuration({ ...auth, basePath: `${origin}/v1` }),
    v2: new v2.Configuration({ ...auth, basePath: `${origin}/api/v2` }),
  };
}

/**
 * The SDK's axios interceptor rejects with the response BODY only (status and headers are gone);
 * Pipedrive error bodies carry the status as errorCode ({success:false, error, errorCode}).
 */
export function pipedriveError(err: unknown, what: string): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const body = (err && typeof err === 'object' ? err : {}) as { errorCode?: number; error?: string; status?: number; response?: { status?: number } };
  const status = Number(body.errorCode ?? body.response?.status ?? body.status);
  if (!Number.isFinite(status) || status < 400) {
    return new ConnectorError('vendor_unavailable', `Pipedrive ${what}: ${(err as Error)?.message ?? body.error ?? 'request failed'}`, { cause: err });
  }
  const e = classifyHttpError(status, undefined, { message: `Pipedrive ${what}: ${body.error ?? `HTTP ${status}`}` });
  // No Retry-After survives the SDK: Pipedrive's token-based limits reset within a 2-second window.
  return e.code === 'rate_limited' ? new ConnectorError('rate_limited', e.message, { httpStatus: 429, retryAfterMs: 2000 }) : e;
}

export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw pipedriveError(err, what);
  }
}
