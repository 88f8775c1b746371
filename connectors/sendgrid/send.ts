import { createHash } from 'node:crypto';
import { MailService } from '@sendgrid/mail';
import {
  classifyHttpError,
  ConnectorError,
  mapOutbound,
  parseRetryAfter,
  type ConnectorContext,
  type Manifest,
  type OutboundMessage,
  type SendPreview,
  type SendResult,
  type TestResult,
} from '../kit/index.ts';
import type { SendGridConfig, SendGridSecrets } from './schemas.ts';

type Ctx = ConnectorContext<SendGridConfig, SendGridSecrets>;
type MailData = Parameters<MailService['send']>[0];
/** The SDK's HTTP client: MailService keeps one per instance, typed only loosely in its .d.ts. */
interface SdkClient {
  request(req: { method: string; url: string }): Promise<[{ statusCode: number; headers: Record<string, unknown> }, unknown]>;
}

/** Mail Send answers in well under a second; a request still open after this is abandoned (and retried as `timeout`). */
const TIMEOUT_MS = 20_000;
const MAX_CLIENTS = 256;
const services = new Map<string, MailService>();

/**
 * One MailService per API key and region (never the SDK's global singleton: connections have
 * different keys). Kept in least-recently-used order, like the Twilio clients.
 */
function mailService(apiKey: string, region: 'global' | 'eu' = 'global'): MailService {
  const key = region + ':' + createHash('sha256').update(apiKey).digest('base64url');
  let service = services.get(key);
  if (service) {
    services.delete(key);
  } else {
    service = new MailService();
    (service as unknown as { client: { setDataResidency(r: string): void } }).client.setDataResidency(region);
    service.setApiKey(apiKey);
    service.setTimeout(TIMEOUT_MS);
  }
  services.set(key, service);
  if (services.size > MAX_CLIENTS) services.delete(services.keys().next().value!);
  return service;
}

const clientOf = (service: MailService) => (service as unknown as { client: SdkClient }).client;

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const value = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** Network-level failures: the request may or may not have reached SendGrid. */
const TIMEOUTS = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * SendGrid errors are {errors: [{message, field, help}]} without codes. Their messages can quote
 * addresses ("You have included x@y more than once"), so only the field names are kept. A 429
 * carries X-RateLimit-Reset (epoch seconds) rather than Retry-After; both are honoured.
 */
export function toConnectorError(err: unknown, now = Date.now()): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const e = (err ?? {}) as { code?: unknown; response?: { headers?: unknown; body?: unknown }; message?: unknown };
  if (typeof e.code === 'number' && e.response) {
    const status = e.code;
    const body = e.response.body as { errors?: Array<{ field?: unknown }> } | undefined;
    const fields = [...new Set((body?.errors ?? []).map((x) => x.field).filter((f): f is string => typeof f === 'string' && f !== ''))];
    const message = `SendGrid answered HTTP ${status}${fields.length ? ` (${fields.join(', ')})` : ''}`;
    if (status === 429) {
      const reset = Number(header(e.response.headers, 'x-ratelimit-reset'));
      const retryAfterMs = parseRetryAfter(header(e.response.headers, 'retry-after'), now) ?? (reset > 0 ? Math.max(0, reset * 1000 - now) : undefined);
      return new ConnectorError('rate_limited', message, { httpStatus: status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
    if (status === 400 && fields.length && fields.every((f) => /^personalizations\.\d+\.(to|cc|bcc)\b/.test(f))) {
      return new ConnectorError('invalid_recipient', message, { httpStatus: status });
    }
    return classifyHttpError(status, e.response.headers as Record<string, unknown>, { message, now });
  }
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    // No `cause`: axios errors carry the request config, Authorization header included.
    return new ConnectorError(TIMEOUTS.has(e.code) ? 'timeout' : 'vendor_unavailable', `SendGrid unreachable: ${e.code}`);
  }
  // The SDK validates the mail before any request (e.g. no recipient): permanent for this message.
  return new ConnectorError('invalid_request', typeof e.message === 'string' && e.message ? `SendGrid refused the mail: ${e.message}` : 'SendGrid request failed');
}

/** The mail's From address and the Message-ID the manifest gave it: what a reply names. */
function describe(params: Record<string, unknown>): Required<SendPreview> {
  const from = (params.from as { email: string }).email;
  return { senderAddress: from, email: { messageId: (params.headers as Record<string, string>)['Message-ID']! } };
}

export function createSender(manifest: Manifest) {
  const paramsOf = (msg: OutboundMessage, ctx: Ctx) => mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
  return {
    async preview(msg: OutboundMessage, ctx: Ctx): Promise<SendPreview> {
      return describe(await paramsOf(msg, ctx));
    },

    async send(msg: OutboundMessage, ctx: Ctx): Promise<SendResult> {
      if (msg.media?.length) throw new ConnectorError('invalid_request', 'The SendGrid connector sends no attachments yet');
      const params = await paramsOf(msg, ctx);
      const sent = describe(params);
      let response: Awaited<ReturnType<MailService['send']>>[0];
      try {
        [response] = await mailService(ctx.secrets.apiKey, ctx.config.region).send(params as unknown as MailData);
      } catch (err) {
        throw toConnectorError(err);
      }
      // 202 + X-Message-Id; Event Webhook events carry it as the prefix of sg_message_id.
      const providerMessageId = header(response.headers, 'x-message-id') ?? sent.email.messageId;
      return { providerMessageId, status: 'queued', providerStatus: 'accepted', ...sent };
    },

    /** GET /v3/scopes: proves the key works and may send mail, without sending anything. */
    async test(ctx: Ctx): Promise<TestResult> {
      try {
        const [, body] = await clientOf(mailService(ctx.secrets.apiKey, ctx.config.region)).request({ method: 'GET', url: '/v3/scopes' });
        const scopes = (body as { scopes?: unknown }).scopes;
        return Array.isArray(scopes) && scopes.includes('mail.send') ? { ok: true } : { ok: false, message: 'The SendGrid API key lacks the mail.send scope' };
      } catch (err) {
        const e = toConnectorError(err);
        return { ok: false, message: e.code === 'auth_failed' ? 'SendGrid refused the API key' : e.message };
      }
    },
  };
}
