import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyFailure, VerifyResult } from '../types.ts';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type Bytes = Buffer | string;

export function hmac(algorithm: HmacAlgorithm, key: Bytes, data: Bytes | Bytes[]): Buffer {
  const h = createHmac(algorithm, key);
  for (const part of Array.isArray(data) ? data : [data]) h.update(part);
  return h.digest();
}

export const hmacHex = (algorithm: HmacAlgorithm, key: Bytes, data: Bytes | Bytes[]): string => hmac(algorithm, key, data).toString('hex');
export const hmacBase64 = (algorithm: HmacAlgorithm, key: Bytes, data: Bytes | Bytes[]): string =>
  hmac(algorithm, key, data).toString('base64');

/**
 * Constant-time comparison. timingSafeEqual throws on a length mismatch, so lengths are checked
 * first; returning early there leaks nothing, the expected length being fixed by the algorithm.
 */
export function safeEqual(a: Bytes, b: Bytes): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when any candidate matches; every candidate is compared, so timing does not tell which one did. */
export function safeEqualAny(candidates: Bytes[], expected: Bytes): boolean {
  let ok = false;
  for (const c of candidates) ok = safeEqual(c, expected) || ok;
  return ok;
}

export const OK: VerifyResult = Object.freeze({ ok: true });
export const fail = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });

/**
 * Replay window: a signed timestamp further than `toleranceMs` from now (either way: a clock
 * far ahead is as suspect as a stale one) is refused even with a good signature.
 */
export function withinWindow(timestampMs: number, nowMs: number, toleranceMs: number): boolean {
  return Number.isFinite(timestampMs) && Math.abs(nowMs - timestampMs) <= toleranceMs;
}
