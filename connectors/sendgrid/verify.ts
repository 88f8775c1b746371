import { createHash, createPrivateKey, sign as ecdsaSign, timingSafeEqual } from 'node:crypto';
import eventWebhook from '@sendgrid/eventwebhook';
import { fail, headerOf, OK, withinWindow, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { SendGridConfig, SendGridSecrets } from './schemas.ts';

type Ctx = ConnectorContext<SendGridConfig, SendGridSecrets>;

/**
 * One receive URL takes both of SendGrid's webhooks, told apart by content type:
 * - Event Webhook (JSON array): ECDSA P-256 over timestamp + raw body, checked with SendGrid's
 *   own @sendgrid/eventwebhook, plus a replay window on the signed timestamp;
 * - Inbound Parse (multipart/form-data): SendGrid signs nothing, so the URL configured on its side
 *   carries a shared secret, as ?secret=… or as the basic-auth password.
 */
export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';
/** SendGrid documents no tolerance; 5 minutes matches the kit's other timestamped schemes. */
export const EVENT_WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

const { EventWebhook } = eventWebhook;
const ew = new EventWebhook();
type EcdsaPublicKey = ReturnType<typeof ew.convertPublicKeyToECDSA>;
const keys = new Map<string, EcdsaPublicKey | null>();

function publicKey(base64Der: string): EcdsaPublicKey | null {
  if (!keys.has(base64Der)) {
    let key: EcdsaPublicKey | null;
    try {
      key = ew.convertPublicKeyToECDSA(base64Der);
    } catch {
      key = null;
    }
    if (keys.size > 256) keys.clear();
    keys.set(base64Der, key);
  }
  return keys.get(base64Der)!;
}

const mediaType = (req: RawRequest) => (headerOf(req.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();

export function verifyEventWebhook(req: RawRequest, publicKeyBase64: string | undefined, nowMs: number): VerifyResult {
  if (!publicKeyBase64) return fail('missing_secret');
  const signature = headerOf(req.headers, SIGNATURE_HEADER);
  const timestamp = headerOf(req.headers, TIMESTAMP_HEADER);
  if (!signature || !timestamp) return fail('missing_signature');
  if (!/^\d{1,12}$/.test(timestamp)) return fail('malformed');
  const key = publicKey(publicKeyBase64);
  if (!key) return fail('missing_secret');
  let valid: boolean;
  try {
    valid = ew.verifySignature(key, req.body, signature, timestamp);
  } catch {
    return fail('malformed'); // not a base64 DER ECDSA signature
  }
  if (!valid) return fail('bad_signature');
  return withinWindow(Number(timestamp) * 1000, nowMs, EVENT_WEBHOOK_TOLERANCE_MS) ? OK : fail('stale');
}

/** The secret a request presents: ?secret=… in the URL, else the password of Basic authorization. */
function presentedSecret(req: RawRequest): string | undefined {
  const q = req.url.indexOf('?');
  const fromQuery = q === -1 ? null : new URLSearchParams(req.url.slice(q + 1).split('#')[0]).get('secret');
  if (fromQuery) return fromQuery;
  const auth = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headerOf(req.headers, 'authorization') ?? '');
  if (!auth) return undefined;
  const decoded = Buffer.from(auth[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function verifyInboundParse(req: RawRequest, inboundSecret: string | undefined): VerifyResult {
  // Without a configured secret the URL's unguessable connection id is the only protection (see README).
  if (!inboundSecret) return OK;
  const presented = presentedSecret(req);
  if (!presented) return fail('missing_signature');
  // Digests have equal lengths, so the comparison time says nothing about the secret.
  return timingSafeEqual(digest(presented), digest(inboundSecret)) ? OK : fail('bad_signature');
}

export function verify(req: RawRequest, ctx: Ctx): VerifyResult {
  const type = mediaType(req);
  if (type === 'multipart/form-data') return verifyInboundParse(req, ctx.secrets.inboundSecret);
  if (type === 'application/json') return verifyEventWebhook(req, ctx.config.eventWebhookPublicKey, ctx.now?.() ?? Date.now());
  return fail('malformed');
}

function signingKey(pem: string) {
  const text = pem.includes('-----BEGIN') ? pem : Buffer.from(pem, 'base64');
  return typeof text === 'string' ? createPrivateKey(text) : createPrivateKey({ key: text, format: 'der', type: 'pkcs8' });
}

/** The headers SendGrid would send: for tests and sandbox callbacks (signing needs the private key). */
export function signEventWebhook(body: Buffer, privateKey: string, timestampSeconds: number): Record<string, string> {
  const signature = ecdsaSign('sha256', Buffer.concat([Buffer.from(String(timestampSeconds)), body]), signingKey(privateKey));
  return { [SIGNATURE_HEADER]: signature.toString('base64'), [TIMESTAMP_HEADER]: String(timestampSeconds) };
}

export function sign(req: RawRequest, ctx: Ctx): Record<string, string> {
  if (mediaType(req) === 'multipart/form-data') {
    const secret = ctx.secrets.inboundSecret;
    return secret ? { authorization: `Basic ${Buffer.from(`sendgrid:${secret}`).toString('base64')}` } : {};
  }
  const key = ctx.secrets.eventWebhookSigningKey;
  if (!key) throw new Error('sendgrid: signing Event Webhook requests needs secrets.eventWebhookSigningKey (sandbox and tests only)');
  return signEventWebhook(req.body, key, Math.floor((ctx.now?.() ?? Date.now()) / 1000));
}
