import Stripe from 'stripe';
import { classifyHttpError, ConnectorError, headerOf, type ConnectorContext, type RawRequest, type VerifyFailure, type VerifyResult } from '../kit/index.ts';
import type { StripeConfig, StripeSecrets } from './schemas.ts';

export type StripeCtx = ConnectorContext<StripeConfig, StripeSecrets>;

/** Stripe's documented tolerance between the signed timestamp and now. */
export const TOLERANCE_SECONDS = 300;

/**
 * One SDK client per call: the key belongs to the connection. No SDK retries: a rate limit or an
 * outage surfaces as a ConnectorError and the engine's retry policy (rules, poller) decides.
 */
export function stripeClient(ctx: StripeCtx): Stripe {
  return new Stripe(ctx.secrets.secretKey, {
    maxNetworkRetries: 0,
    timeout: 20_000,
    telemetry: false,
    ...(ctx.config.accountId ? { stripeAccount: ctx.config.accountId } : {}),
  });
}

/** The SDK's verifier messages, as the kit's failure reasons (no other signal is exposed). */
function reasonOf(message: string): VerifyFailure {
  if (/tolerance/i.test(message)) return 'stale';
  if (/Unable to extract|expected scheme/i.test(message)) return 'malformed';
  if (/No stripe-signature header/i.test(message)) return 'missing_signature';
  return 'bad_signature';
}

/** Stripe-Signature checked by the SDK itself over the raw bytes (constructEvent). */
export function verify(req: RawRequest, ctx: StripeCtx): VerifyResult {
  const secret = ctx.secrets.webhookSecret;
  if (!secret) return { ok: false, reason: 'missing_secret' };
  const header = headerOf(req.headers, 'stripe-signature');
  if (!header) return { ok: false, reason: 'missing_signature' };
  try {
    Stripe.webhooks.constructEvent(req.body, header, secret, TOLERANCE_SECONDS, undefined, (ctx.now ?? Date.now)());
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf((err as Error).message) };
  }
}

/** The header Stripe would send, made by the SDK's own test helper. */
export function sign(req: RawRequest, ctx: StripeCtx): Record<string, string> {
  const secret = ctx.secrets.webhookSecret;
  if (!secret) throw new ConnectorError('auth_failed', 'This Stripe connection has no webhookSecret to sign with.');
  const timestamp = Math.floor((ctx.now ?? Date.now)() / 1000);
  return { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: req.body.toString('utf8'), secret, timestamp }) };
}

interface StripeSdkError {
  statusCode?: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
  type?: string;
}

/** An SDK failure as a ConnectorError: HTTP answers classified (429 + Retry-After), no answer = unavailable. */
export function toConnectorError(err: unknown): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const e = (err ?? {}) as StripeSdkError;
  if (typeof e.statusCode === 'number') {
    return classifyHttpError(e.statusCode, e.headers, { message: `Stripe: ${e.message ?? e.type ?? 'error'}`, ...(e.code ? { providerCode: e.code } : {}) });
  }
  return new ConnectorError('vendor_unavailable', `Stripe could not be reached: ${e.message ?? 'connection error'}`, { cause: err });
}
