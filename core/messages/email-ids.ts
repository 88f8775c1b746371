import type { OrgCrypto } from '../crypto/keyring.ts';

/**
 * RFC 5322 message ids for threading. They are stored only as blind indexes (they can name the
 * sender's domain and mailbox). The local part is case-sensitive, the domain is not.
 */
export interface EmailHeaders {
  messageId?: string | null;
  inReplyTo?: string | null;
  /** The References header, as one string or one entry per id. */
  references?: string[] | string | null;
}

// Long threads carry long References; the most recent ids are the ones that matter.
const MAX_REFERENCES = 50;

function normalizeId(raw: string): string | null {
  const id = raw.trim().replace(/^<|>$/g, '').trim();
  if (!id || /\s/.test(id)) return null;
  const at = id.lastIndexOf('@');
  return at < 0 ? id : id.slice(0, at) + '@' + id.slice(at + 1).toLowerCase();
}

/** Every id in a header value: "<a@x> <b@y>", "a@x", with or without brackets. */
export function parseMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>]+)>/g)].map((m) => m[1]);
  const raw = bracketed.length ? bracketed : value.split(/[\s,]+/);
  return raw.map(normalizeId).filter((id): id is string => id !== null);
}

export const rfcIndex = (crypto: OrgCrypto, id: string) => crypto.blindIndex('rfc_message_id', id);

/** The message's own id (normalized) and the blind indexes of the ids it answers, parent first. */
export function emailThreadKeys(crypto: OrgCrypto, headers: EmailHeaders | undefined): { own: string | null; thread: Buffer[] } {
  if (!headers) return { own: null, thread: [] };
  const index = (id: string) => rfcIndex(crypto, id);
  const own = parseMessageIds(headers.messageId)[0];
  const refs = (Array.isArray(headers.references) ? headers.references : [headers.references ?? '']).flatMap(parseMessageIds);
  // The direct parent first, then References from the newest back.
  const ids = [...new Set([...parseMessageIds(headers.inReplyTo), ...refs.reverse()])].slice(0, MAX_REFERENCES);
  return { own: own ?? null, thread: ids.filter((id) => id !== own).map(index) };
}
