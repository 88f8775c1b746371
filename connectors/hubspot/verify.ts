import { headerOf, signHubSpotV3, verifyHubSpotV3, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { HubSpotConfig, HubSpotSecrets } from './schemas.ts';

/**
 * HubSpot signs webhook requests (v3) with the app's client secret over method + URI + body +
 * X-HubSpot-Request-Timestamp; requests older than five minutes are refused (replay window).
 */
export function verify(req: RawRequest, ctx: ConnectorContext<HubSpotConfig, HubSpotSecrets>): VerifyResult {
  return verifyHubSpotV3({
    clientSecret: ctx.secrets.clientSecret,
    signature: headerOf(req.headers, 'x-hubspot-signature-v3'),
    timestamp: headerOf(req.headers, 'x-hubspot-request-timestamp'),
    method: req.method,
    url: req.url,
    body: req.body,
    now: ctx.now?.() ?? Date.now(),
  });
}

export function sign(req: RawRequest, ctx: ConnectorContext<HubSpotConfig, HubSpotSecrets>): Record<string, string> {
  const timestamp = ctx.now?.() ?? Date.now();
  return {
    'x-hubspot-signature-v3': signHubSpotV3(ctx.secrets.clientSecret ?? '', req.method, req.url, req.body, timestamp),
    'x-hubspot-request-timestamp': String(timestamp),
  };
}
