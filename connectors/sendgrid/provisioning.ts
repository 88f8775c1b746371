import { Resolver } from 'node:dns/promises';
import { createHash } from 'node:crypto';
import { Client } from '@sendgrid/client';
import { classifyHttpError, ConnectorError, type ProvisioningApi, type ProvisioningContext, type WiringItem } from '../kit/index.ts';
import type { SendGridConfig, SendGridSecrets } from './schemas.ts';

type Ctx = ProvisioningContext<SendGridConfig, SendGridSecrets>;

/**
 * SendGrid wiring through @sendgrid/client (the Web API v3):
 * - Inbound Parse (/v3/user/webhooks/parse/settings): the connection's inboundHostname must post to
 *   our URL, with ?secret=… when an inbound secret is set (Inbound Parse is not signed);
 * - Event Webhook (/v3/user/webhooks/event/settings): enabled, our URL, the delivery events the
 *   manifest maps; signed (…/settings/signed): its public key is handed back to the engine as a
 *   config update, since verify() needs it;
 * - domain authentication (/v3/whitelabel/domains) of the sender's domain, and the MX record of the
 *   inbound host (mx.sendgrid.net): reported only, DNS is the customer's to change.
 */
const TIMEOUT_MS = 20_000;
const EVENTS = ['processed', 'deferred', 'delivered', 'open', 'click', 'bounce', 'dropped'] as const;
const MX_HOST = 'mx.sendgrid.net';

function client(ctx: Ctx): Client {
  const c = new Client();
  c.setApiKey(ctx.secrets.apiKey);
  if (ctx.config.region === 'eu') c.setDataResidency('eu');
  // The SDK forwards it to axios; its typings only name the documented request fields.
  (c as unknown as { setDefaultRequest(key: string, value: unknown): void }).setDefaultRequest('timeout', TIMEOUT_MS);
  return c;
}

/** One request; SendGrid's errors ({errors:[{message, field}]}) become a ConnectorError by HTTP status, without their text. */
async function call<T>(ctx: Ctx, method: 'GET' | 'POST' | 'PATCH', url: string, body?: object): Promise<T> {
  try {
    const [, data] = await client(ctx).request({ method, url, ...(body ? { body } : {}) });
    return data as T;
  } catch (err) {
    const e = err as { code?: number | string; response?: { headers?: Record<string, unknown> } };
    if (typeof e.code === 'number') return Promise.reject(classifyHttpError(e.code, e.response?.headers, { message: `SendGrid answered HTTP ${e.code} to ${method} ${url}` }));
    throw new ConnectorError('vendor_unavailable', `SendGrid unreachable${typeof e.code === 'string' ? `: ${e.code}` : ''}`);
  }
}

/** The Inbound Parse URL: ours, with the shared secret when there is one. */
const parseUrl = (ctx: Ctx) => (ctx.secrets.inboundSecret ? `${ctx.urls.inbound}?secret=${encodeURIComponent(ctx.secrets.inboundSecret)}` : ctx.urls.inbound);
/** Reports never show the secret: it would reach anyone who may read the connection's health. */
const masked = (ctx: Ctx, url: string | null | undefined) => (url && ctx.secrets.inboundSecret ? url.split(encodeURIComponent(ctx.secrets.inboundSecret)).join('***') : (url ?? null));

interface ParseSetting {
  url: string;
  hostname: string;
  spam_check: boolean;
  send_raw: boolean;
}
interface EventSettings {
  enabled: boolean;
  url: string | null;
  [event: string]: unknown;
}

async function inboundParse(ctx: Ctx, fix: boolean): Promise<WiringItem[]> {
  const host = ctx.config.inboundHostname;
  if (!host) {
    return [{ kind: 'inbound_parse', id: '(none)', ok: false, fixable: false, message: 'Set config.inboundHostname (e.g. parse.example.com) to receive email through Inbound Parse.' }];
  }
  const expected = parseUrl(ctx);
  const { result = [] } = await call<{ result?: ParseSetting[] }>(ctx, 'GET', '/v3/user/webhooks/parse/settings');
  const current = result.find((r) => r.hostname.toLowerCase() === host.toLowerCase());
  const ok = current?.url === expected;
  if (!ok && fix) {
    // send_raw false: the parsed multipart form is what the manifest maps.
    const setting = { url: expected, hostname: host, spam_check: current?.spam_check ?? false, send_raw: false };
    if (current) await call(ctx, 'PATCH', `/v3/user/webhooks/parse/settings/${encodeURIComponent(host)}`, setting);
    else await call(ctx, 'POST', '/v3/user/webhooks/parse/settings', setting);
  }
  const items: WiringItem[] = [{ kind: 'inbound_parse', id: host, field: 'url', expected: masked(ctx, expected), actual: masked(ctx, current?.url), ok: ok || fix, ...(!ok && fix ? { fixed: true } : {}) }];
  items.push(await mxRecord(host));
  return items;
}

async function eventWebhook(ctx: Ctx, fix: boolean): Promise<WiringItem[]> {
  const settings = await call<EventSettings>(ctx, 'GET', '/v3/user/webhooks/event/settings');
  const missing = EVENTS.filter((e) => settings[e] !== true);
  const ok = settings.enabled && settings.url === ctx.urls.status && !missing.length;
  if (!ok && fix) {
    await call(ctx, 'PATCH', '/v3/user/webhooks/event/settings', { enabled: true, url: ctx.urls.status, ...Object.fromEntries(EVENTS.map((e) => [e, true])) });
  }
  const items: WiringItem[] = [
    {
      kind: 'event_webhook',
      id: 'event_webhook',
      field: 'url',
      expected: ctx.urls.status,
      actual: settings.enabled ? settings.url : null,
      ok: ok || fix,
      ...(!ok && fix ? { fixed: true } : {}),
      ...(missing.length && !fix ? { message: `Events not sent: ${missing.join(', ')}` } : {}),
    },
  ];
  const signed = await call<{ public_key?: string; enabled?: boolean }>(ctx, 'GET', '/v3/user/webhooks/event/settings/signed');
  let key = signed.public_key || undefined;
  if (!key && fix) key = (await call<{ public_key?: string }>(ctx, 'PATCH', '/v3/user/webhooks/event/settings/signed', { enabled: true })).public_key;
  const known = !!key && key === ctx.config.eventWebhookPublicKey;
  items.push({
    kind: 'event_webhook',
    id: 'event_webhook',
    field: 'signed',
    expected: 'enabled, verification key stored',
    actual: key ? `enabled (key ${fingerprint(key)})` : 'disabled',
    ok: known || (fix && !!key),
    ...(!known && fix && key ? { fixed: true, configUpdate: { eventWebhookPublicKey: key } } : {}),
    ...(!known && !fix ? { message: key ? 'The verification key differs from the connection\'s: events would be refused.' : 'Signing is off: events cannot be verified.' } : {}),
  });
  return items;
}

const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);

async function domainAuthentication(ctx: Ctx): Promise<WiringItem> {
  const domain = (ctx.config.fromAddress.split('@')[1] ?? '').toLowerCase();
  const domains = await call<{ id: number; domain: string; valid: boolean; dns?: Record<string, { valid: boolean; type: string; host: string; data: string }> }[]>(
    ctx,
    'GET',
    `/v3/whitelabel/domains?domain=${encodeURIComponent(domain)}`,
  );
  const d = (domains ?? []).find((x) => x.domain.toLowerCase() === domain);
  if (!d) return { kind: 'domain_authentication', id: domain, ok: false, fixable: false, message: `${domain} is not authenticated in SendGrid (Settings › Sender Authentication): mail from it may be marked as spam.` };
  const bad = Object.values(d.dns ?? {}).filter((r) => !r.valid);
  return {
    kind: 'domain_authentication',
    id: domain,
    ok: d.valid,
    fixable: false,
    ...(d.valid ? {} : { message: `Add these DNS records, then validate in SendGrid: ${bad.map((r) => `${r.type.toUpperCase()} ${r.host} → ${r.data}`).join('; ') || 'see Sender Authentication'}` }),
  };
}

/** Inbound mail reaches SendGrid only when the host's MX points at mx.sendgrid.net. */
async function mxRecord(host: string): Promise<WiringItem> {
  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  try {
    const records = await resolver.resolveMx(host);
    const ok = records.some((r) => r.exchange.toLowerCase().replace(/\.$/, '') === MX_HOST);
    return { kind: 'mx_record', id: host, expected: MX_HOST, actual: records.map((r) => r.exchange).join(', ') || null, ok, fixable: false, ...(ok ? {} : { message: `Add an MX record: ${host} → ${MX_HOST} (priority 10).` }) };
  } catch (err) {
    return { kind: 'mx_record', id: host, expected: MX_HOST, actual: null, ok: false, fixable: false, message: `No MX record found for ${host} (${(err as { code?: string }).code ?? 'lookup failed'}): add ${host} → ${MX_HOST} (priority 10).` };
  }
}

export const provisioning: ProvisioningApi<SendGridConfig, SendGridSecrets> = {
  async wiring({ fix }, ctx) {
    return [...(await inboundParse(ctx, fix)), ...(await eventWebhook(ctx, fix)), await domainAuthentication(ctx)];
  },
};
