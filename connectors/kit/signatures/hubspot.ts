import type { VerifyResult } from '../types.ts';
import { fail, hmacBase64, OK, safeEqual, withinWindow } from './hmac.ts';

/**
 * HubSpot v3: X-HubSpot-Signature-v3 = base64 HMAC-SHA256 (client secret) of
 * method + URI + raw body + X-HubSpot-Request-Timestamp (milliseconds); requests older than five
 * minutes are refused. HubSpot signs the URI with a fixed set of percent-escapes decoded.
 */
export const HUBSPOT_MAX_AGE_MS = 5 * 60 * 1000;

const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function hubspotUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()]!);
}

function sourceParts(method: string, url: string, body: Buffer | string, timestamp: string): (Buffer | string)[] {
  return [method.toUpperCase() + hubspotUri(url), body, timestamp];
}

export function verifyHubSpotV3(input: {
  clientSecret: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  method: string;
  url: string;
  body: Buffer;
  maxAgeMs?: number;
  now?: number;
}): VerifyResult {
  if (!input.clientSecret) return fail('missing_secret');
  if (!input.signature || !input.timestamp) return fail('missing_signature');
  if (!/^\d+$/.test(input.timestamp)) return fail('malformed');
  const expected = hmacBase64('sha256', input.clientSecret, sourceParts(input.method, input.url, input.body, input.timestamp));
  if (!safeEqual(input.signature.trim(), expected)) return fail('bad_signature');
  return withinWindow(Number(input.timestamp), input.now ?? Date.now(), input.maxAgeMs ?? HUBSPOT_MAX_AGE_MS) ? OK : fail('stale');
}

export function signHubSpotV3(clientSecret: string, method: string, url: string, body: Buffer | string, timestampMs: number): string {
  return hmacBase64('sha256', clientSecret, sourceParts(method, url, body, String(timestampMs)));
}
