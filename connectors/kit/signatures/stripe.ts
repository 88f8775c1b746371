import type { VerifyResult } from '../types.ts';
import { fail, hmacHex, OK, safeEqualAny, withinWindow } from './hmac.ts';

/**
 * Stripe-Signature: "t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]". Each v1 is hex HMAC-SHA256 of
 * "<t>.<raw body>" with the endpoint secret (used as given, whsec_ prefix included). Several v1
 * values appear while a secret is being rolled; any one matching is enough. v0 is ignored.
 */
export const STRIPE_TOLERANCE_SECONDS = 300;

export function verifyStripeSignature(input: {
  secret: string | undefined;
  header: string | undefined;
  body: Buffer;
  toleranceSeconds?: number;
  now?: number;
}): VerifyResult {
  if (!input.secret) return fail('missing_secret');
  if (!input.header) return fail('missing_signature');
  let t: string | undefined;
  const v1: string[] = [];
  for (const item of input.header.split(',')) {
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') t = value;
    else if (key === 'v1') v1.push(value.toLowerCase());
  }
  if (!t || !/^\d+$/.test(t) || !v1.length) return fail('malformed');
  const expected = hmacHex('sha256', input.secret, [`${t}.`, input.body]);
  if (!safeEqualAny(v1, expected)) return fail('bad_signature');
  const tolerance = (input.toleranceSeconds ?? STRIPE_TOLERANCE_SECONDS) * 1000;
  return withinWindow(Number(t) * 1000, input.now ?? Date.now(), tolerance) ? OK : fail('stale');
}

export function signStripe(secret: string, body: Buffer | string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex('sha256', secret, [`${timestampSeconds}.`, body])}`;
}
