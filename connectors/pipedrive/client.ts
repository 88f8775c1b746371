import { v1, v2 } from 'pipedrive';
import { ConnectorError, classifyHttpError, parseRetryAfter, providerBaseUrl, type IntegrationContext } from '../kit/index.ts';
import { API_DOMAIN_PATTERN, type PipedriveConfig, type PipedriveSecrets } from './schemas.ts';

export type PipedriveContext = IntegrationContext<PipedriveConfig, PipedriveSecrets>;

/**
 * SDK configurations for one call: the API token (x-api-token header) or the OAuth access token
 * the engine hands out (Bearer). v2 serves persons, v1 still serves notes.
 */
export async function pipedriveConfig(ctx: PipedriveContext): Promise<{ v1: v1.Configuration; v2: v2.Configuration }> {
  const origin = providerBaseUrl(ctx.config.apiDomain, 'https://api.pipedrive.com', API_DOMAIN_PATTERN, 'Pipedrive');
  let auth: { apiKey: string } | { accessToken: string };
  if (ctx.secrets.apiToken) auth = { apiKey: ctx.secrets.apiToken };
  else if (ctx.auth) auth = { accessToken: await ctx.auth.accessToken() };
  else throw new ConnectorError('auth_failed', 'Pipedrive: no API token and no OAuth authorization.', { retryable: false });
  return {
    v1: new v1.Configuration({ ...auth, basePath: `${origin}/v1` }),
    v2: new v2.Configuration({ ...auth, basePath: `${origin}/api/v2` }),
  };
}

/** An HTTP error answer of Pipedrive with what the SDK would drop: its status and headers. */
class PipedriveHttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, unknown>,
    readonly body: unknown,
  ) {
    super(`Pipedrive answered HTTP ${status}`);
  }
}

interface InterceptorHandler {
  fulfilled?: (value: unknown) => unknown;
  rejected?: (error: unknown) => unknown;
  synchronous: boolean;
  runWhen: null;
}
/** The part of an SDK API object we reach: the axios instance every one of them keeps (`axios`, protected). */
type WithAxios = { axios?: { interceptors?: { response?: { handlers?: (InterceptorHandler | null)[] | null } } } };

function keepStatusAndHeaders(err: unknown): Promise<never> {
  const res = (err as { response?: { status?: unknown; headers?: unknown; data?: unknown } } | null)?.response;
  if (!res || typeof res.status !== 'number') return Promise.reject(err);
  const headers = Object.fromEntries(Object.entries(res.headers && typeof res.headers === 'object' ? res.headers : {}).map(([k, v]) => [k.toLowerCase(), v]));
  return Promise.reject(new PipedriveHttpError(res.status, headers, res.data));
}

/**
 * The SDK's axios response interceptor rejects an HTTP error with its BODY only: status and
 * headers (Retry-After, x-ratelimit-reset) are gone before the error reaches us. Each API object
 * has its own axios instance, and axios runs response interceptors in the order of its public
 * `handlers` list, so ours goes in front: it turns an error answer into a PipedriveHttpError,
 * which carries no `response` and so passes the SDK's interceptor untouched. Without such a list
 * (another SDK shape) the API object is left as it is and errors are read from the body alone.
 */
export function withHttpErrors<T extends object>(api: T): T {
  const response = (api as WithAxios).axios?.interceptors?.response;
  if (response) response.handlers = [{ rejected: keepStatusAndHeaders, synchronous: false, runWhen: null }, ...(response.handlers ?? [])];
  return api;
}

// Without Retry-After: Pipedrive's burst limits are per 2-second window.
const WINDOW_MS = 2000;

/**
 * A ConnectorError from what the SDK rejected with: a PipedriveHttpError (status, headers and
 * body), else a bare Pipedrive body, whose errorCode carries the status ({success:false, error, errorCode}).
 * A 429 waits Retry-After, else x-ratelimit-reset (seconds left in the window), else the window.
 */
export function pipedriveError(err: unknown, what: string): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const http = err instanceof PipedriveHttpError ? err : undefined;
  const body = ((http ? http.body : err) ?? {}) as { errorCode?: number; error?: string; status?: number; response?: { status?: number } };
  const status = http?.status ?? Number(body.errorCode ?? body.response?.status ?? body.status);
  if (!Number.isFinite(status) || status < 400) {
    return new ConnectorError('vendor_unavailable', `Pipedrive ${what}: ${(err as Error)?.message ?? body.error ?? 'request failed'}`, { cause: err });
  }
  const message = `Pipedrive ${what}: ${typeof body.error === 'string' ? body.error : `HTTP ${status}`}`;
  const e = classifyHttpError(status, http?.headers, { message });
  if (e.code !== 'rate_limited' || e.retryAfterMs !== undefined) return e;
  const reset = http?.headers['x-ratelimit-reset'];
  const retryAfterMs = parseRetryAfter(reset === undefined || reset === null ? undefined : String(reset)) ?? WINDOW_MS;
  return new ConnectorError('rate_limited', e.message, { httpStatus: 429, retryAfterMs });
}

export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw pipedriveError(err, what);
  }
}
