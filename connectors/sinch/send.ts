import {
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
import { sinchClient } from './client.ts';
import type { SinchConfig, SinchSecrets } from './schemas.ts';

type Ctx = ConnectorContext<SinchConfig, SinchSecrets>;
type SendRequest = Parameters<ReturnType<typeof sinchClient>['sms']['batches']['send']>[0]['sendSMSRequestBody'];

function parseBody(data: unknown): { code?: string } {
  if (typeof data !== 'string') return {};
  try {
    const body = JSON.parse(data) as { code?: unknown };
    return typeof body?.code === 'string' || typeof body?.code === 'number' ? { code: String(body.code) } : {};
  } catch {
    return {};
  }
}

/**
 * The SDK throws RequestFailedError for an HTTP error ({statusCode, data: the JSON body as text,
 * responseHeaders}); Sinch's body is {code, text}, e.g. "syntax_invalid_parameter_format". A code
 * in the errorMap gives the reason, otherwise the HTTP status decides. Anything else the SDK throws
 * after a request is a network failure (EmptyResponseError: its message quotes the URL, so it is
 * not kept). Sinch's `text` can quote the recipient: never copied either.
 */
export function toConnectorError(manifest: Manifest, err: unknown): ConnectorError {
  if (ConnectorError.is(err)) return err;
  const e = (err ?? {}) as { statusCode?: unknown; data?: unknown; responseHeaders?: Record<string, string>; message?: unknown };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400) {
    const { code } = parseBody(e.data);
    const known = lookupError(manifest, code);
    const message = code ? `Sinch error ${code}${known?.description ? `: ${known.description}` : ''}` : `Sinch answered HTTP ${e.statusCode}`;
    if (!known) return classifyHttpError(e.statusCode, e.responseHeaders, { message, ...(code ? { providerCode: code } : {}) });
    const retryAfterMs = parseRetryAfter(e.responseHeaders?.['retry-after']);
    return new ConnectorError(known.reason, message, {
      retryable: known.retryable,
      providerCode: code!,
      httpStatus: e.statusCode,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const text = typeof e.message === 'string' ? e.message : '';
  if (/\[Empty response\]|errorType: SDK/.test(text)) {
    return new ConnectorError(/timeout/i.test(text) ? 'timeout' : 'vendor_unavailable', /timeout/i.test(text) ? 'Sinch did not answer in time' : 'Sinch unreachable');
  }
  return new ConnectorError('invalid_request', text ? `Sinch request refused before sending: ${text}` : 'Sinch request failed');
}

/** Sinch's inbound `to` is digits without the plus; the engine normalizes both to the same E.164 number. */
const addressOf = (from: unknown) => (typeof from === 'string' && from ? from : undefined);

export function createSender(manifest: Manifest) {
  const paramsOf = (msg: OutboundMessage, ctx: Ctx) => mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
  return {
    /** The originator the manifest chooses (the message's, else the connection's first number); none leaves it to the service plan. */
    async preview(msg: OutboundMessage, ctx: Ctx): Promise<SendPreview> {
      const senderAddress = addressOf((await paramsOf(msg, ctx)).from);
      return senderAddress ? { senderAddress } : {};
    },

    /** The manifest yields the batch in Sinch's own field names (to, from, body, delivery_report, callback_url…). */
    async send(msg: OutboundMessage, ctx: Ctx): Promise<SendResult> {
      const params = await paramsOf(msg, ctx);
      const client = sinchClient(ctx.config.servicePlanId, ctx.secrets.apiToken, ctx.config.region);
      let batch: { id?: string; from?: string };
      try {
        batch = await client.sms.batches.send({ sendSMSRequestBody: params as unknown as SendRequest });
      } catch (err) {
        throw toConnectorError(manifest, err);
      }
      if (!batch.id) throw new ConnectorError('unknown', 'Sinch accepted the batch without returning its id', { retryable: false });
      // A batch to one recipient: its id names the message in delivery reports.
      // The service plan's default originator, when the batch named none, is in Sinch's answer.
      const senderAddress = addressOf(params.from) ?? addressOf(batch.from);
      return { providerMessageId: batch.id, providerStatus: 'Queued', status: 'queued', ...(senderAddress ? { senderAddress } : {}) };
    },

    /** Lists one batch: proves the service plan id, token and region work, without sending anything. */
    async test(ctx: Ctx): Promise<TestResult> {
      const client = sinchClient(ctx.config.servicePlanId, ctx.secrets.apiToken, ctx.config.region);
      try {
        await client.sms.batches.list({ page_size: 1 });
        return { ok: true };
      } catch (err) {
        const e = toConnectorError(manifest, err);
        return { ok: false, message: e.code === 'auth_failed' ? 'Sinch refused the service plan id / API token (or the region is wrong)' : e.message };
      }
    },
  };
}
