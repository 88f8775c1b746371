import {
  classifyHttpError,
  ConnectorError,
  defineConnector,
  headerOf,
  lookupError,
  mapOutbound,
  signStandardWebhook,
  verifyStandardWebhook,
  type ConnectorContext,
  type Manifest,
  type RawRequest,
} from '@switchboard/connector-kit';
import manifestJson from './manifest.json' with { type: 'json' };

/**
 * Echo SMS, an example of a connector published on npm by a third party: it depends on the kit
 * only, and Switchboard loads it from SWITCHBOARD_CONNECTORS. Echo SMS is a toy provider with a
 * JSON REST API (Bearer API key) and webhooks signed with Standard Webhooks.
 */
export interface EchoConfig {
  baseUrl: string;
  defaultFrom?: string;
}

export interface EchoSecrets {
  apiKey: string;
  webhookSecret: string;
}

type Ctx = ConnectorContext<EchoConfig, EchoSecrets>;

const manifest = manifestJson as unknown as Manifest;

function verify(req: RawRequest, ctx: Ctx) {
  return verifyStandardWebhook({
    secret: ctx.secrets.webhookSecret,
    id: headerOf(req.headers, 'webhook-id'),
    timestamp: headerOf(req.headers, 'webhook-timestamp'),
    signature: headerOf(req.headers, 'webhook-signature'),
    body: req.body,
    now: ctx.now?.() ?? Date.now(),
  });
}

function sign(req: RawRequest, ctx: Ctx) {
  const id = headerOf(req.headers, 'webhook-id') ?? `msg_${Date.now().toString(36)}`;
  const ts = Math.floor((ctx.now?.() ?? Date.now()) / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(ctx.secrets.webhookSecret, id, ts, req.body) };
}

async function echoApi(ctx: Ctx, path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${ctx.config.baseUrl.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ctx.secrets.apiKey}`, 'content-type': 'application/json', ...init.headers },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    throw new ConnectorError('vendor_unavailable', `Echo SMS unreachable (${(err as Error).name})`);
  }
}

export default defineConnector<EchoConfig, EchoSecrets>({
  id: 'echo-sms',
  version: '1.0.0',
  kind: 'channel',
  displayName: 'Echo SMS',
  description: 'Example third-party connector: the Echo SMS toy provider.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['baseUrl'],
    properties: {
      baseUrl: { type: 'string', format: 'uri', title: 'API base URL' },
      defaultFrom: { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$', title: 'Default sender number' },
    },
  },
  secretsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['apiKey', 'webhookSecret'],
    properties: { apiKey: { type: 'string', minLength: 1 }, webhookSecret: { type: 'string', pattern: '^whsec_' } },
  },
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.status', 'messaging.media'],
  channels: ['sms'],
  manifest,
  verify,
  sign,
  async send(msg, ctx) {
    const params = await mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
    const res = await echoApi(ctx, '/v1/messages', { method: 'POST', body: JSON.stringify(params) });
    const body = (await res.json().catch(() => ({}))) as { id?: string; status?: string; error?: { code?: string } };
    if (!res.ok) {
      const code = body.error?.code;
      const known = lookupError(manifest, code);
      const message = `Echo SMS error ${code ?? res.status}`;
      if (!known) throw classifyHttpError(res.status, res.headers, { message, ...(code ? { providerCode: code } : {}) });
      throw new ConnectorError(known.reason, message, { retryable: known.retryable, providerCode: code!, httpStatus: res.status });
    }
    if (!body.id) throw new ConnectorError('unknown', 'Echo SMS accepted the message without an id');
    return { providerMessageId: body.id, ...(body.status ? { providerStatus: body.status } : {}) };
  },
  async test(ctx) {
    const res = await echoApi(ctx, '/v1/account');
    if (res.ok) return { ok: true };
    return { ok: false, message: res.status === 401 ? 'Echo SMS refused the API key' : `Echo SMS answered ${res.status}` };
  },
  simulateStatus(s) {
    return {
      headers: { 'content-type': 'application/json', 'webhook-id': `msg_${s.providerMessageId}_${s.status}` },
      body: JSON.stringify({ type: 'message.status', data: { id: s.providerMessageId, status: s.status } }),
    };
  },
});
