import type { RawRequest, VerifyResult } from '../types.ts';
import { headerOf } from '../request.ts';
import { fail, OK, safeEqual } from './hmac.ts';

/**
 * A shared upload token sent as `Authorization: Bearer <token>`: for requests that a person, a
 * script or an automation tool sends (export uploads), where no provider signs anything. Compared
 * in constant time; the scheme name is case-insensitive (RFC 7235).
 */
export function verifyBearerToken(req: Pick<RawRequest, 'headers'>, token: string | undefined): VerifyResult {
  if (!token) return fail('missing_secret');
  const header = headerOf(req.headers, 'authorization');
  if (!header) return fail('missing_signature');
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) return fail('malformed');
  return safeEqual(match[1]!, token) ? OK : fail('bad_signature');
}

export function signBearerToken(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
