import { hmacBase64, headerOf, safeEqual, ConnectorError, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { QuickBooksConfig, QuickBooksSecrets } from './schemas.ts';

export type QuickBooksCtx = ConnectorContext<QuickBooksConfig, QuickBooksSecrets>;

/**
 * intuit-signature = base64(HMAC-SHA256(verifier token, raw body)). Intuit signs no timestamp, so
 * there is no replay window: a replayed notification is recognized by its external ids instead.
 */
export function verify(req: RawRequest, ctx: QuickBooksCtx): VerifyResult {
  const token = ctx.secrets.webhookVerifierToken;
  if (!token) return { ok: false, reason: 'missing_secret' };
  const signature = headerOf(req.headers, 'intuit-signature');
  if (!signature) return { ok: false, reason: 'missing_signature' };
  return safeEqual(signature.trim(), hmacBase64('sha256', token, req.body)) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** The header Intuit would send for this body (fixtures, sandbox simulation). */
export function sign(req: RawRequest, ctx: QuickBooksCtx): Record<string, string> {
  const token = ctx.secrets.webhookVerifierToken;
  if (!token) throw new ConnectorError('auth_failed', 'This QuickBooks connection has no webhookVerifierToken to sign with.', { retryable: false });
  return { 'intuit-signature': hmacBase64('sha256', token, req.body) };
}
