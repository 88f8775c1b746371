import type { VerifyResult } from '../types.ts';
import { fail, hmacHex, OK, safeEqual } from './hmac.ts';

/**
 * Meta (WhatsApp Cloud, Messenger): X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the raw
 * body with the app secret. Meta escapes non-ASCII as \uXXXX in what it signs, so the body must be
 * the bytes received: re-serializing parsed JSON would change them.
 */
export function verifyMetaSignature(input: { appSecret: string | undefined; signature: string | undefined; body: Buffer }): VerifyResult {
  if (!input.appSecret) return fail('missing_secret');
  if (!input.signature) return fail('missing_signature');
  const m = /^sha256=([0-9a-f]+)$/i.exec(input.signature.trim());
  if (!m) return fail('malformed');
  return safeEqual(m[1]!.toLowerCase(), hmacHex('sha256', input.appSecret, input.body)) ? OK : fail('bad_signature');
}

export function signMeta(appSecret: string, body: Buffer | string): string {
  return `sha256=${hmacHex('sha256', appSecret, body)}`;
}
