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

/** The secrets schema of a connector whose requests carry such a token (`{uploadToken}`). */
export const uploadTokenSecretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uploadToken'],
  properties: {
    uploadToken: {
      type: 'string',
      title: 'Upload token',
      description: 'A long random string you choose (e.g. `openssl rand -hex 32`); uploads send it as "Authorization: Bearer <token>".',
      minLength: 24,
    },
  },
} as const;
