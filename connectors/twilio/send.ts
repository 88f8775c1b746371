import {
  canonicalStatus,
  classifyHttpError,
  ConnectorError,
  lookupError,
  mapOutbound,
  parseRetryAfter,
  type ConnectorContext,
  type Manifest,
  type OutboundMessage,
  type SendPreview,
  type SendResult,
  type TestResult,
} from '../kit/index.ts';
import { callTwilio, twilioClient } from './client.ts';
import type { TwilioConfig, TwilioSecrets } from './schemas.ts';

type Ctx = ConnectorContext<TwilioConfig, TwilioSecrets>;

/** Network-level failures (no HTTP answer): the request may or may not have reached Twilio. */
const TIMEOUTS = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * The SDK throws RestException (legacy JSON: {code, message, more_info, status}) or
 * TwilioServiceException (RFC 9457); both carry a numeric `status` and Twilio `code`. A code in the
 * errorMap gives the canonical reason; otherwise the HTTP status decides.
 */
export function toConnectorError(manifest: Manifest, err: unknown, headers?: Record<string, unknown>): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const e = (err ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof e.status === 'number') {
    const providerCode = typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : undefined;
    const known = lookupError(manifest, providerCode);
    // Twilio's own messages can quote the recipient's number; ours never do, because they end
    // up in logs and on the message row.
    const message = providerCode ? `Twilio error ${providerCode}${known?.description ? `: ${known.description}` : ''}` : `Twilio answered HTTP ${e.status}`;
    if (!known) return classifyHttpError(e.status, headers, { message, ...(providerCode ? { providerCode } : {}) });
    const retryAfter = headers?.['retry-after'];
    const retryAfterMs = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined);
    return new ConnectorError(known.reason, message, {
      retryable: known.retryable,
      providerCode: providerCode!,
      httpStatus: e.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    // No `cause`: axios errors carry the request config, Authorization header included.
    return new ConnectorError(TIMEOUTS.has(e.code) ? 'timeout' : 'vendor_unavailable', `Twilio unreachable: ${e.code}`);
  }
  // The SDK validates parameters before any request: a permanent problem with this message.
  const message = typeof e.message === 'string' && e.message ? e.message : 'Twilio request failed';
  return new ConnectorError('invalid_request', message, { cause: err });
}

const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);

/** Twilio writes WhatsApp senders as whatsapp:+E164; its inbound webhooks' To, as we map it, is the bare number. */
const addressOf = (from: unknown) => (typeof from === 'string' && from ? from.replace(/^whatsapp:/, '') : undefined);

export function createSender(manifest: Manifest) {
  const paramsOf = (msg: OutboundMessage, ctx: Ctx) => mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
  return {
    /** The From the manifest chooses (the message's, else the connection's first number); none with a Messaging Service. */
    async preview(msg: OutboundMessage, ctx: Ctx): Promise<SendPreview> {
      const senderAddress = addressOf((await paramsOf(msg, ctx)).From);
      return senderAddress ? { senderAddress } : {};
    },

    /** The manifest yields Twilio's documented parameter names (To, From, Body…); the SDK takes them in camelCase. */
    async send(msg: OutboundMessage, ctx: Ctx): Promise<SendResult> {
      const params = await paramsOf(msg, ctx);
      const sdkParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [lowerFirst(k), v]));
      const client = twilioClient(ctx.config.accountSid, ctx.secrets.authToken);
      const created = await callTwilio(
        () => client.messages.create(sdkParams as unknown as Parameters<typeof client.messages.create>[0]),
        (err, headers) => toConnectorError(manifest, err, headers),
      );
      const status = canonicalStatus(manifest, created.status);
      // A Messaging Service picks the number itself: Twilio's answer names it when it already has.
      const senderAddress = addressOf(params.From) ?? addressOf(created.from);
      return { providerMessageId: created.sid, providerStatus: created.status, ...(status ? { status } : {}), ...(senderAddress ? { senderAddress } : {}) };
    },

    /** Fetches the account: proves the SID and token work without sending anything. */
    async test(ctx: Ctx): Promise<TestResult> {
      const client = twilioClient(ctx.config.accountSid, ctx.secrets.authToken);
      try {
        const account = await callTwilio(
          () => client.api.v2010.accounts(ctx.config.accountSid).fetch(),
          (err, headers) => toConnectorError(manifest, err, headers),
        );
        return account.status === 'active' ? { ok: true } : { ok: false, message: `Twilio account is ${account.status}` };
      } catch (err) {
        const e = err as ConnectorError;
        return { ok: false, message: e.code === 'auth_failed' ? 'Twilio refused the Account SID / Auth Token' : e.message };
      }
    },
  };
}
