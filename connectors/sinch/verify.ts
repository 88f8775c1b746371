import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { fail, headerOf, hmacBase64, OK, safeEqual, withinWindow, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { SinchConfig, SinchSecrets } from './schemas.ts';

type Ctx = ConnectorContext<SinchConfig, SinchSecrets>;

/**
 * Sinch SMS callbacks are authenticated one of two ways, both set up by Sinch on request:
 * - HMAC signing, as the SDK's validateWebhookSignature checks it: base64 HMAC-SHA256 with the
 *   secret of "{raw body}.{nonce}.{timestamp}", in x-sinch-webhook-signature (+ -nonce,
 *   -timestamp in epoch seconds, -algorithm "HmacSHA256"). Checked here over the raw bytes, in
 *   constant time and with a replay window, which the SDK helper does not do;
 * - basic authentication, the callback URL carrying user:password.
 */
export const SIGNATURE = 'x-sinch-webhook-signature';
export const NONCE = 'x-sinch-webhook-signature-nonce';
export const TIMESTAMP = 'x-sinch-webhook-signature-timestamp';
export const ALGORITHM = 'x-sinch-webhook-signature-algorithm';
export const SINCH_TOLERANCE_MS = 5 * 60 * 1000;

export function sinchSignature(secret: string, body: Buffer, nonce: string, timestamp: string): string {
  return hmacBase64('sha256', secret, [body, `.${nonce}.${timestamp}`]);
}

export function verifyHmac(req: RawRequest, secret: string, nowMs: number): VerifyResult {
  const signature = headerOf(req.headers, SIGNATURE);
  const nonce = headerOf(req.headers, NONCE);
  const timestamp = headerOf(req.headers, TIMESTAMP);
  if (!signature) return fail('missing_signature');
  if (!nonce || !timestamp || !/^\d{1,12}$/.test(timestamp)) return fail('malformed');
  const algorithm = headerOf(req.headers, ALGORITHM);
  if (algorithm && algorithm.toLowerCase() !== 'hmacsha256') return fail('malformed');
  if (!safeEqual(sinchSignature(secret, req.body, nonce, timestamp), signature)) return fail('bad_signature');
  return withinWindow(Number(timestamp) * 1000, nowMs, SINCH_TOLERANCE_MS) ? OK : fail('stale');
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function verifyBasic(req: RawRequest, username: string | undefined, password: string): VerifyResult {
  const auth = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headerOf(req.headers, 'authorization') ?? '');
  if (!auth) return fail('missing_signature');
  const decoded = Buffer.from(auth[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return fail('malformed');
  // Both halves always compared (as digests of equal length): timing tells nothing about which failed.
  const userOk = username === undefined || timingSafeEqual(digest(decoded.slice(0, colon)), digest(username));
  const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
  return userOk && passwordOk ? OK : fail('bad_signature');
}

/** A signed request is checked by its signature; otherwise basic authentication, when configured, decides. */
export function verify(req: RawRequest, ctx: Ctx): VerifyResult {
  const { webhookSecret, callbackPassword } = ctx.secrets;
  if (!webhookSecret && !callbackPassword) return fail('missing_secret');
  if (webhookSecret && (headerOf(req.headers, SIGNATURE) || !callbackPassword)) return verifyHmac(req, webhookSecret, ctx.now?.() ?? Date.now());
  return verifyBasic(req, ctx.config.callbackUsername, callbackPassword!);
}

/** The headers Sinch would send (fixtures, sandbox callbacks): HMAC when a secret is set, else basic auth. */
export function sign(req: RawRequest, ctx: Ctx): Record<string, string> {
  const { webhookSecret, callbackPassword } = ctx.secrets;
  if (webhookSecret) {
    const nonce = randomBytes(16).toString('hex');
    const timestamp = String(Math.floor((ctx.now?.() ?? Date.now()) / 1000));
    return { [SIGNATURE]: sinchSignature(webhookSecret, req.body, nonce, timestamp), [NONCE]: nonce, [TIMESTAMP]: timestamp, [ALGORITHM]: 'HmacSHA256' };
  }
  const user = ctx.config.callbackUsername ?? 'sinch';
  return { authorization: `Basic ${Buffer.from(`${user}:${callbackPassword ?? ''}`).toString('base64')}` };
}
