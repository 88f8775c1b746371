import { createHmac, timingSafeEqual } from 'node:crypto';

/** What the widget needs of a web chat connection's config (connectors/webchat/schemas.ts). */
export interface WidgetConfig {
  allowedOrigins: string[];
  requireUserHash?: boolean;
}

/**
 * Identity verification, as chat widgets do it: the host app's server computes
 * userHash = hex HMAC-SHA256(identity secret, userId) and hands it to the page with the user id,
 * so a visitor cannot claim someone else's id by editing the page.
 */
export const userHash = (identitySecret: string, userId: string): string => createHmac('sha256', identitySecret).update(userId, 'utf8').digest('hex');

/** Constant-time; the expected length is fixed (64 hex characters), so an early length refusal leaks nothing. */
export function verifyUserHash(identitySecret: string, userId: string, hash: string | undefined | null): boolean {
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/i.test(hash)) return false;
  return timingSafeEqual(Buffer.from(hash.toLowerCase(), 'latin1'), Buffer.from(userHash(identitySecret, userId), 'latin1'));
}

/** "scheme://host[:port]" with the host lowercased and a default port dropped; null for anything that is not an http(s) origin. */
export function normalizeOrigin(origin: string | undefined | null): string | null {
  if (!origin || origin === 'null') return null;
  try {
    const u = new URL(origin);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || (u.pathname !== '/' && u.pathname !== '')) return null;
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/**
 * Whether a browser Origin may use this connection's widget. Entries are exact origins, or
 * "scheme://*.domain[:port]" for any subdomain (not the bare domain) with the same scheme and port.
 */
export function originAllowed(config: Pick<WidgetConfig, 'allowedOrigins'>, origin: string | undefined | null): boolean {
  const o = normalizeOrigin(origin);
  if (!o) return false;
  for (const entry of config.allowedOrigins ?? []) {
    const wildcard = /^(https?:\/\/)\*\.(.+)$/i.exec(entry);
    if (!wildcard) {
      if (normalizeOrigin(entry) === o) return true;
      continue;
    }
    const base = normalizeOrigin(`${wildcard[1]}${wildcard[2]}`);
    if (!base) continue;
    const [scheme, rest] = base.split('//') as [string, string];
    if (o.startsWith(`${scheme}//`) && o.endsWith(`.${rest}`) && o.length > scheme.length + 2 + rest.length + 1) return true;
  }
  return false;
}
