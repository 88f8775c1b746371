import { createHash } from 'node:crypto';
import {
  ConnectorError,
  safeEqual,
  type CanonicalStatus,
  type ConnectorContext,
  type HttpAnswer,
  type RawRequest,
  type SimulatedRequest,
  type SimulatedStatus,
} from '../kit/index.ts';
import type { WhatsAppConfig, WhatsAppSecrets } from './schemas.ts';

type Ctx = ConnectorContext<WhatsAppConfig, WhatsAppSecrets>;

// Meta's challenge is a number; anything else is not Meta, and is never echoed back.
const CHALLENGE = /^[0-9A-Za-z_.-]{1,256}$/;
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const refuse = (reason: string): HttpAnswer => ({ status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: reason });

/**
 * The GET Meta sends when a webhook is configured: hub.mode=subscribe, hub.verify_token (the token
 * typed into the app dashboard) and hub.challenge, which must come back as the plain-text body.
 * The token is compared through SHA-256 digests so the comparison is constant-time whatever its length.
 */
export function handshake(req: RawRequest, ctx: Ctx): HttpAnswer {
  const query = new URL(req.url, 'http://localhost').searchParams;
  const token = query.get('hub.verify_token');
  const challenge = query.get('hub.challenge');
  if (req.method.toUpperCase() !== 'GET' || query.get('hub.mode') !== 'subscribe' || token === null || challenge === null) {
    return refuse('Not a WhatsApp webhook verification request.');
  }
  if (!ctx.config.verifyToken || !safeEqual(digest(token), digest(ctx.config.verifyToken))) return refuse('Verify token mismatch.');
  if (!CHALLENGE.test(challenge)) return refuse('Malformed hub.challenge.');
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
}

/** Canonical status → the status WhatsApp would report; a failure carries 131026 (undeliverable). */
const SIMULATED: Partial<Record<CanonicalStatus, string>> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', undelivered: 'failed', blocked: 'failed' };

/**
 * A statuses notification exactly as Meta posts it (compact JSON; no recipient: the manifest does
 * not read it and a sandbox callback carries no personal data). Sandbox connections sign it with
 * sign() and post it to their own receive URL.
 */
export function simulateStatus(s: SimulatedStatus, ctx: Ctx): SimulatedRequest {
  const status = SIMULATED[s.status];
  if (!status) throw new ConnectorError('invalid_request', `WhatsApp reports no "${s.status}" status`);
  const errors = status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }] } : {};
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '', phone_number_id: ctx.config.phoneNumberId },
    statuses: [{ id: s.providerMessageId, status, timestamp: String(Math.floor((ctx.now?.() ?? Date.now()) / 1000)), ...errors }],
  };
  const body = { object: 'whatsapp_business_account', entry: [{ id: ctx.config.wabaId ?? '0', changes: [{ value, field: 'messages' }] }] };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
