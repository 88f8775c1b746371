import { createHash } from 'node:crypto';
import { parse as parseLegacyQuery, stringify as stringifyLegacyQuery } from 'node:querystring';
import { decodeForm, mediaType } from '../request.ts';
import type { VerifyResult } from '../types.ts';
import { fail, hmacBase64, OK, safeEqual, safeEqualAny } from './hmac.ts';

/**
 * X-Twilio-Signature: base64 HMAC (SHA-1 with the auth token unless the
 * X-Twilio-Webhooks-Signature-Settings header names HMAC_SHA256) of the full URL followed by each
 * POST parameter's key and value, keys sorted; repeated keys contribute their distinct values
 * sorted. JSON bodies are not signed as params: the URL carries bodySHA256 = hex SHA-256 of the
 * raw body instead. Mirrors the official SDK's validateRequest, including its URL variants.
 */
export type TwilioParams = Record<string, string | string[]>;

export function twilioSignature(authToken: string, url: string, params: TwilioParams, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  const parts: string[] = [url];
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) parts.push(key, v);
  }
  return hmacBase64(algorithm, authToken, parts.join(''));
}

/** Algorithm named by X-Twilio-Webhooks-Signature-Settings ("key=…,algorithm=HMAC_SHA256"); SHA-1 by default. */
export function twilioAlgorithm(settingsHeader: string | undefined): 'sha1' | 'sha256' | undefined {
  for (const part of (settingsHeader ?? '').split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k === 'algorithm' && v) return v.toUpperCase() === 'HMAC_SHA256' ? 'sha256' : v.toUpperCase() === 'HMAC_SHA1' ? 'sha1' : undefined;
  }
  return 'sha1';
}

// Split without normalizing: the path and query must keep the exact characters Twilio signed.
function splitUrl(url: string) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!m) return null;
  const authority = m[2]!;
  const userEnd = authority.lastIndexOf('@');
  const hostPort = authority.slice(userEnd + 1);
  const portStart = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1); // IPv6 literals contain colons
  return {
    scheme: m[1]!,
    user: authority.slice(0, userEnd + 1),
    host: portStart === -1 ? hostPort : hostPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostPort.slice(portStart),
    rest: url.slice(m[0].length),
  };
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.user + p.host + p.rest : url;
}

function withPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return p.scheme + p.user + p.host + (p.scheme.toLowerCase() === 'https://' ? ':443' : ':80') + p.rest;
}

function withLegacyQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return url.slice(0, q) + '?' + stringifyLegacyQuery(parseLegacyQuery(url.slice(q + 1)));
}

/** The URLs the SDK tries, in its order: as received ± port, then WHATWG-normalized ± port ± legacy query encoding. */
export function twilioUrlCandidates(url: string): string[] {
  const out = [withoutPort(url), withPort(url)];
  let normalized: string | undefined;
  try {
    normalized = new URL(url).toString();
  } catch {
    normalized = undefined;
  }
  if (normalized) {
    const a = withoutPort(normalized);
    const b = withPort(normalized);
    out.push(a, b, withLegacyQuery(a), withLegacyQuery(b));
  }
  return [...new Set(out)];
}

export interface TwilioRequestInput {
  authToken: string | undefined;
  /** The URL Twilio called: the public URL when behind a proxy. */
  url: string;
  body: Buffer;
  contentType?: string;
  algorithm?: 'sha1' | 'sha256';
}

function bodyHashParam(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('bodySHA256') ?? undefined;
}

function signedParams(input: TwilioRequestInput): TwilioParams {
  if (bodyHashParam(input.url) !== undefined) return {};
  return mediaType(input.contentType) === 'application/x-www-form-urlencoded' ? decodeForm(input.body.toString('utf8')) : {};
}

export function verifyTwilioSignature(input: TwilioRequestInput & { signature: string | undefined }): VerifyResult {
  if (!input.authToken) return fail('missing_secret');
  if (!input.signature) return fail('missing_signature');
  // Only form parameters are signed as params. Any other body (JSON) is covered only by the
  // bodySHA256 in the URL; without it the signature covers the URL alone and the body could be
  // anything, so it is refused (the SDK's validateIncomingRequest takes the same branch).
  const bodyHash = bodyHashParam(input.url);
  if (bodyHash === undefined && input.body.length > 0 && mediaType(input.contentType) !== 'application/x-www-form-urlencoded') return fail('missing_signature');
  const params = signedParams(input);
  const expected = twilioUrlCandidates(input.url).map((u) => twilioSignature(input.authToken!, u, params, input.algorithm));
  if (!safeEqualAny(expected, input.signature)) return fail('bad_signature');
  if (bodyHash !== undefined && !safeEqual(createHash('sha256').update(input.body).digest('hex'), bodyHash)) return fail('bad_signature');
  return OK;
}

/** The X-Twilio-Signature Twilio would send for this request (fixtures, sandbox callbacks). */
export function signTwilioRequest(input: TwilioRequestInput & { authToken: string }): string {
  return twilioSignature(input.authToken, input.url, signedParams(input), input.algorithm);
}
