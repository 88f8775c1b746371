import { SwitchboardError } from './errors.ts';

/**
 * Webhook and identity helpers on WebCrypto (no Node-only imports: edge runtimes run them too).
 * Our outbound webhooks follow Standard Webhooks: `webhook-signature` holds one or more
 * space-separated `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{raw body}`
 * under the subscription secret (`whsec_` + base64); two during a secret rotation.
 */
const enc = new TextEncoder();

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data)));
}

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

/** Compares without an early exit, so the time taken says nothing about where two values differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;
const header = (h: HeaderBag, name: string) => {
  const v = h instanceof Headers ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  return Array.isArray(v) ? v[0] : (v ?? undefined);
};

/**
 * Verifies a delivery and returns its parsed payload. `rawBody` must be the bytes as received
 * (re-serialized JSON will not verify). Refuses timestamps more than `toleranceSec` (300) away.
 */
export async function verifyWebhook<T = any>(rawBody: string | Uint8Array, headers: HeaderBag, secret: string, opts: { toleranceSec?: number; now?: Date } = {}): Promise<T> {
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  const invalid = (why: string) => new SwitchboardError(`webhook refused: ${why}`, 0, 'webhook_invalid');
  if (!id || !ts || !sigs) throw invalid('webhook-id, webhook-timestamp and webhook-signature headers are required');
  const seconds = Number(ts);
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (!Number.isInteger(seconds) || Math.abs(now - seconds) > (opts.toleranceSec ?? 300)) throw invalid('timestamp outside the tolerance');
  const expected = await hmac(fromBase64(secret.replace(/^whsec_/, '')), `${id}.${ts}.${body}`);
  const ok = sigs.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    if (version !== 'v1' || !sig) return false;
    try {
      return constantTimeEqual(fromBase64(sig), expected);
    } catch {
      return false;
    }
  });
  if (!ok) throw invalid('no signature matches the secret');
  return JSON.parse(body) as T;
}

/** The widget's identity hash: hex HMAC-SHA256 of the user id under the web chat connection's identity secret. Compute it on your server only. */
export async function userHash(userId: string, identitySecret: string): Promise<string> {
  return [...(await hmac(enc.encode(identitySecret), userId))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Signs a payload the way we do (for your own tests of a webhook receiver). */
export async function signWebhook(id: string, timestamp: number, body: string, secret: string): Promise<string> {
  return `v1,${toBase64(await hmac(fromBase64(secret.replace(/^whsec_/, '')), `${id}.${timestamp}.${body}`))}`;
}
