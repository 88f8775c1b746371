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
import { DEFAULT_GRAPH_API_VERSION, GRAPH_ORIGIN, type WhatsAppConfig, type WhatsAppSecrets } from './schemas.ts';

type Ctx = ConnectorContext<WhatsAppConfig, WhatsAppSecrets>;

/** A Graph call that has not answered in this time is abandoned (and retried by the send queue). */
const TIMEOUT_MS = 15_000;

/** Graph API error body: {error: {message, type, code, error_subcode, error_data: {details}, fbtrace_id}}. */
interface GraphError {
  error?: { code?: number | string; error_subcode?: number; type?: string; fbtrace_id?: string };
}

export const graphUrl = (config: WhatsAppConfig, path: string) => `${GRAPH_ORIGIN}/${config.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION}/${path}`;

/**
 * Meta's error `code` (131047, 190, 130429…) decides through the errorMap; an unknown code falls
 * back to the HTTP status. Meta's own message is never kept: it can quote the recipient's number,
 * and ours ends up in logs and on the message row.
 */
export function toConnectorError(manifest: Manifest, status: number, body: unknown, headers: Headers): ConnectorError {
  const err = (body as GraphError | null)?.error;
  const providerCode = typeof err?.code === 'number' || typeof err?.code === 'string' ? String(err.code) : undefined;
  const known = lookupError(manifest, providerCode);
  const message = providerCode ? `WhatsApp error ${providerCode}${known?.description ? `: ${known.description}` : ''}` : `WhatsApp answered HTTP ${status}`;
  if (!known) return classifyHttpError(status, headers, { message, ...(providerCode ? { providerCode } : {}) });
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  return new ConnectorError(known.reason, message, {
    retryable: known.retryable,
    providerCode: providerCode!,
    httpStatus: status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** No HTTP answer at all: the request may or may not have reached Meta. */
function networkError(err: unknown): ConnectorError {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.cause?.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new ConnectorError('timeout', 'WhatsApp did not answer in time');
  }
  if (e?.name === 'AbortError') return new ConnectorError('timeout', 'WhatsApp request aborted');
  // No `cause`: it can carry the request, Authorization header included.
  return new ConnectorError('vendor_unavailable', `WhatsApp unreachable${e?.cause?.code ? `: ${e.cause.code}` : ''}`);
}

export async function graph(manifest: Manifest, ctx: Ctx, method: 'GET' | 'POST', path: string, payload?: unknown): Promise<unknown> {
  const signals = [AbortSignal.timeout(TIMEOUT_MS), ...(ctx.signal ? [ctx.signal] : [])];
  let res: Response;
  try {
    res = await fetch(graphUrl(ctx.config, path), {
      method,
      headers: {
        authorization: `Bearer ${ctx.secrets.accessToken}`,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    throw networkError(err);
  }
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page: the HTTP status is all there is.
  }
  if (!res.ok) throw toConnectorError(manifest, res.status, body, res.headers);
  return body;
}

export function createSender(manifest: Manifest) {
  return {
    /** Cloud API messages always leave from the connection's phone number; its webhooks name that id as ours. */
    preview(_msg: OutboundMessage, ctx: Ctx): SendPreview {
      return { senderAddress: ctx.config.phoneNumberId };
    },

    /** The manifest builds the Graph request body (text, media by link, or template); the answer carries the wamid. */
    async send(msg: OutboundMessage, ctx: Ctx): Promise<SendResult> {
      const payload = await mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
      const body = (await graph(manifest, ctx, 'POST', `${ctx.config.phoneNumberId}/messages`, payload)) as {
        messages?: { id?: string; message_status?: string }[];
      } | null;
      const sent = body?.messages?.[0];
      if (!sent?.id) throw new ConnectorError('unknown', 'WhatsApp accepted the request but returned no message id', { retryable: false });
      const status = sent.message_status ? canonicalStatus(manifest, sent.message_status) : undefined;
      return { providerMessageId: sent.id, senderAddress: ctx.config.phoneNumberId, ...(sent.message_status ? { providerStatus: sent.message_status } : {}), ...(status ? { status } : {}) };
    },

    /** Reads the phone number's profile: proves the token and the phone number ID without sending anything. */
    async test(ctx: Ctx): Promise<TestResult> {
      try {
        const phone = (await graph(manifest, ctx, 'GET', `${ctx.config.phoneNumberId}?fields=display_phone_number,verified_name,quality_rating`)) as {
          verified_name?: string;
        } | null;
        return phone?.verified_name ? { ok: true, message: `Connected as ${phone.verified_name}` } : { ok: true };
      } catch (err) {
        const e = err as ConnectorError;
        return { ok: false, message: e.code === 'auth_failed' ? 'WhatsApp refused the access token' : e.message };
      }
    },
  };
}
