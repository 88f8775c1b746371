import { randomBytes } from 'node:crypto';
import type { VerifyResult } from '../types.ts';
import { fail, hmacBase64, OK, safeEqualAny, withinWindow } from './hmac.ts';

/**
 * Standard Webhooks (standardwebhooks.com; what Switchboard signs its own outbound webhooks with):
 * webhook-id, webhook-timestamp (seconds) and webhook-signature, a space-separated list of
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>" so a secret can be rotated without downtime.
 * Secrets are "whsec_" + base64 of 24–64 random bytes; the key is the decoded bytes.
 */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 300;
const PREFIX = 'whsec_';

export function webhookSecretKey(secret: string): Buffer {
  const b64 = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('webhook secret is not base64 (expected whsec_<base64>)');
  const key = Buffer.from(b64, 'base64');
  if (key.length < 24 || key.length > 64) throw new Error('webhook secret must decode to 24–64 bytes');
  return key;
}

export function generateWebhookSecret(bytes = 32): string {
  return PREFIX + randomBytes(bytes).toString('base64');
}

export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  return `v1,${hmacBase64('sha256', webhookSecretKey(secret), [`${id}.${timestampSeconds}.`, body])}`;
}

export function verifyStandardWebhook(input: {
  secret: string | undefined;
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  toleranceSeconds?: number;
  now?: number;
}): VerifyResult {
  if (!input.secret) return fail('missing_secret');
  if (!input.id || !input.timestamp || !input.signature) return fail('missing_signature');
  if (!/^\d+$/.test(input.timestamp)) return fail('malformed');
  let key: Buffer;
  try {
    key = webhookSecretKey(input.secret);
  } catch {
    return fail('missing_secret');
  }
  const given = input.signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => s.slice(3));
  if (!given.length) return fail('malformed');
  const expected = hmacBase64('sha256', key, [`${input.id}.${input.timestamp}.`, input.body]);
  if (!safeEqualAny(given, expected)) return fail('bad_signature');
  const tolerance = (input.toleranceSeconds ?? STANDARD_WEBHOOKS_TOLERANCE_SECONDS) * 1000;
  return withinWindow(Number(input.timestamp) * 1000, input.now ?? Date.now(), tolerance) ? OK : fail('stale');
}
