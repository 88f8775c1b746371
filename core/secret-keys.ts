import crypto from 'node:crypto';

/**
 * The one way a bearer secret is made and stored, for org API keys (sb_live_…) and platform keys
 * (sbp_live_…): 192 random bits after the kind's prefix, shown once; the database keeps its
 * SHA-256 (the secret is random, so a slow hash adds nothing) and a short display prefix.
 */
export const hashSecret = (secret: string): Buffer => crypto.createHash('sha256').update(secret).digest();

export function mintSecret(kindPrefix: string): { secret: string; prefix: string; hash: Buffer } {
  const secret = kindPrefix + crypto.randomBytes(24).toString('base64url');
  return { secret, prefix: secret.slice(0, kindPrefix.length + 6), hash: hashSecret(secret) };
}
