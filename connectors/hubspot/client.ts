import { Client } from '@hubspot/api-client';
import { ConnectorError, classifyHttpError, providerBaseUrl, type IntegrationContext } from '../kit/index.ts';
import { API_BASE_URL_PATTERN, type HubSpotConfig, type HubSpotSecrets } from './schemas.ts';

export type HubSpotContext = IntegrationContext<HubSpotConfig, HubSpotSecrets>;

/**
 * A HubSpot SDK client for one call, with the token the engine hands out (OAuth, refreshed by the
 * engine) or the private-app token. SDK retries are off: retrying is the engine's job (queue
 * backoff honouring Retry-After), and a hidden retry would double-log a batch.
 */
export async function hubspotClient(ctx: HubSpotContext): Promise<Client> {
  const accessToken = ctx.auth ? await ctx.auth.accessToken() : ctx.secrets.accessToken;
  if (!accessToken) throw new ConnectorError('auth_failed', 'HubSpot: no access token (private-app token or OAuth authorization).', { retryable: false });
  return new Client({ accessToken, numberOfApiCallRetries: 0, basePath: providerBaseUrl(ctx.config.apiBaseUrl, 'https://api.hubapi.com', API_BASE_URL_PATTERN, 'HubSpot') });
}

interface SdkError {
  code?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * SDK errors → ConnectorError. On 429 HubSpot sends Retry-After on some limits and only the
 * X-HubSpot-RateLimit-* headers on others (the interval tells when the window resets).
 */
export function hubspotError(err: unknown, what: string): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const e = err as SdkError;
  if (typeof e?.code !== 'number' || e.code < 400) {
    return new ConnectorError('vendor_unavailable', `HubSpot ${what}: ${(err as Error)?.message ?? 'request failed'}`, { cause: err });
  }
  const headers = e.headers ?? {};
  const body = (typeof e.body === 'object' && e.body ? e.body : {}) as { message?: string; category?: string };
  const classified = classifyHttpError(e.code, headers, { message: `HubSpot ${what}: ${body.message ?? `HTTP ${e.code}`}`, ...(body.category ? { providerCode: body.category } : {}) });
  if (classified.code === 'rate_limited' && classified.retryAfterMs === undefined) {
    const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    return new ConnectorError('rate_limited', classified.message, {
      httpStatus: 429,
      retryAfterMs: Number.isFinite(interval) && interval > 0 ? interval : 10_000,
      ...(classified.providerCode ? { providerCode: classified.providerCode } : {}),
    });
  }
  return classified;
}

export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw hubspotError(err, what);
  }
}
