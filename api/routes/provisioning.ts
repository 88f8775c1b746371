import { defineRoute, type RouteContext } from '../http/route.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';
import { PROVISIONING_HOOKS, type NumberSearch } from '../../connectors/kit/index.ts';
import { loadProvisioner, offers } from '../../core/provisioning/context.ts';
import { buyNumber, listNumbers, releaseNumber, searchNumbers } from '../../core/provisioning/numbers.ts';
import { syncRegistrations } from '../../core/provisioning/registrations.ts';
import { listTemplates, syncTemplates } from '../../core/provisioning/templates.ts';
import { checkHealth } from '../../core/provisioning/health.ts';
import { CHANNEL_PATTERN } from '../../core/conversations/channels.ts';

/**
 * Provisioning a connection's channel at the provider: numbers, webhook wiring, health, sender
 * registration and templates. Each operation answers 422 not_supported when the connection's
 * connector does not offer it (GET …/provisioning lists what it offers); sandbox connections
 * simulate every operation their connector offers, without credentials.
 */
const base = '/v1/connections/:id';

/** Provider changes that cost money or stop traffic are audited (ids and numbers, never settings). */
const audit = (ctx: RouteContext, action: string, details: Record<string, unknown>) =>
  ctx.engine.tenant(ctx.auth.orgId, (tx) => recordAudit(tx, { ...auditBy(ctx), action, target: { type: 'connection', id: ctx.params.id! }, details }));

const E164 = '^\\+[1-9][0-9]{6,14}$';
const capabilities = { type: 'object', properties: { sms: { type: 'boolean' }, mms: { type: 'boolean' }, voice: { type: 'boolean' } } };
const providerNumber = {
  type: 'object',
  properties: {
    id: { type: 'string', description: "The provider's id of the number (Twilio PN…, Meta phone number id)" },
    phoneNumber: { type: 'string' },
    friendlyName: { type: 'string' },
    capabilities,
    serviceId: { type: ['string', 'null'] },
    qualityRating: { type: ['string', 'null'], description: 'WhatsApp: GREEN, YELLOW, RED' },
    messagingLimit: { type: ['string', 'null'], description: 'WhatsApp: the messaging limit tier' },
    inboundUrl: { type: ['string', 'null'], description: 'Where the provider sends inbound messages for this number now' },
  },
};
const wiringItem = {
  type: 'object',
  properties: {
    kind: { type: 'string', description: 'phone_number, messaging_service, inbound_parse, event_webhook, domain_authentication, app_subscription, callback_url…' },
    id: { type: 'string' },
    field: { type: 'string' },
    expected: { type: ['string', 'null'] },
    actual: { type: ['string', 'null'] },
    ok: { type: 'boolean' },
    fixed: { type: 'boolean' },
    fixable: { type: 'boolean', description: 'false: the engine cannot change it (e.g. a DNS record); message says what to do' },
    message: { type: 'string' },
  },
};
const problem = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, severity: { enum: ['degraded', 'failing'] } } };
const healthSchema = {
  type: 'object',
  properties: {
    object: { const: 'connection_health' },
    connectionId: { type: 'string', format: 'uuid' },
    connector: { type: 'string' },
    sandbox: { type: 'boolean' },
    status: { enum: ['ok', 'degraded', 'failing'] },
    previousStatus: { enum: ['ok', 'degraded', 'failing', null] },
    checkedAt: { type: 'string', format: 'date-time' },
    credentials: { type: 'object', properties: { ok: { type: 'boolean' }, message: { type: 'string' } } },
    wiring: { type: ['array', 'null'], items: wiringItem, description: 'null: the connector offers no wiring check' },
    senders: { type: 'array', items: { type: 'object' } },
    traffic: {
      type: 'object',
      properties: {
        lastInboundAt: { type: ['string', 'null'] },
        lastOutboundAt: { type: ['string', 'null'] },
        outbound24h: { type: 'integer' },
        failed24h: { type: 'integer' },
        errorRate: { type: ['number', 'null'], description: 'failed24h / outbound24h' },
        recent: {
          type: 'object',
          description: 'The last 5 outbound messages of the last 24 h: 2 or more failed makes the connection degraded (high_failure_rate)',
          properties: { sends: { type: 'integer' }, failed: { type: 'integer' } },
        },
      },
    },
    problems: { type: 'array', items: problem },
  },
};
const templateSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'template' },
    connectionId: { type: 'string', format: 'uuid' },
    providerId: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
    category: { type: ['string', 'null'] },
    status: { type: 'string', description: 'approved, pending, rejected, paused, disabled…: only approved templates can be sent' },
    components: { type: 'array' },
    variables: { type: 'array', items: { type: 'string' }, description: 'The variable names a send must give ("1", "2"… or named)' },
    syncedAt: { type: 'string', format: 'date-time' },
  },
};

export const provisioningRoutes = [
  defineRoute({
    method: 'get',
    path: `${base}/provisioning`,
    summary: 'Which provisioning operations the connection offers (buttons a UI may show)',
    tag: 'Provisioning',
    scope: 'connections:read',
    response: { type: 'object', properties: { sandbox: { type: 'boolean' }, operations: { type: 'array', items: { enum: [...PROVISIONING_HOOKS] } } } },
    handler: async ({ engine, auth, params }) => {
      const p = await loadProvisioner(engine, auth.orgId, params.id!);
      return { sandbox: p.sandbox, operations: PROVISIONING_HOOKS.filter((h) => offers(p, h)) };
    },
  }),
  defineRoute<unknown, NumberSearch>({
    method: 'get',
    path: `${base}/numbers/available`,
    summary: 'Search numbers available to buy (country, area code, digits, SMS/MMS capability)',
    tag: 'Provisioning',
    scope: 'connections:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        country: { type: 'string', pattern: '^[A-Za-z]{2}$', default: 'US', description: 'ISO 3166-1 alpha-2' },
        areaCode: { type: 'string', pattern: '^[0-9]{2,5}$' },
        contains: { type: 'string', pattern: '^[0-9A-Za-z*]{2,16}$' },
        sms: { type: 'boolean' },
        mms: { type: 'boolean' },
        limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
      },
    },
    response: { type: 'object', properties: { data: { type: 'array', items: { type: 'object', properties: { phoneNumber: { type: 'string' }, friendlyName: { type: 'string' }, locality: { type: ['string', 'null'] }, region: { type: ['string', 'null'] }, capabilities } } } } },
    handler: async ({ engine, auth, params, query }) => ({ data: await searchNumbers(engine, auth.orgId, params.id!, { ...query, country: query.country ?? 'US' }) }),
  }),
  defineRoute<{ phoneNumber: string; channel?: string }>({
    method: 'post',
    path: `${base}/numbers`,
    summary: "Buy a number (it is pointed at the connection in the same request and becomes one of its senders); send an Idempotency-Key: a retry must not buy twice",
    tag: 'Provisioning',
    scope: 'connections:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['phoneNumber'],
      properties: {
        phoneNumber: { type: 'string', pattern: E164, description: 'E.164, as GET …/numbers/available listed it' },
        channel: { type: 'string', pattern: CHANNEL_PATTERN, default: 'sms', description: 'The channel of the sender created for it' },
      },
    },
    response: {
      type: 'object',
      properties: {
        object: { const: 'provisioned_number' },
        providerId: { type: 'string' },
        phoneNumber: { type: 'string' },
        sandbox: { type: 'boolean' },
        inboundUrl: { type: ['string', 'null'] },
        sender: { type: 'object' },
      },
    },
    handler: async (ctx) => {
      const bought = await buyNumber(ctx.engine, ctx.auth.orgId, ctx.params.id!, ctx.body);
      await audit(ctx, 'connection.number_bought', { phoneNumber: bought.phoneNumber, providerId: bought.providerId, sandbox: bought.sandbox });
      return bought;
    },
  }),
  defineRoute({
    method: 'get',
    path: `${base}/numbers`,
    summary: "The provider account's numbers (and Messaging Services), with where each points",
    tag: 'Provisioning',
    scope: 'connections:read',
    response: {
      type: 'object',
      properties: {
        numbers: { type: 'array', items: providerNumber },
        services: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, inboundUrl: { type: ['string', 'null'] }, statusUrl: { type: ['string', 'null'] } } } },
        sandbox: { type: 'boolean' },
      },
    },
    handler: ({ engine, auth, params }) => listNumbers(engine, auth.orgId, params.id!),
  }),
  defineRoute<{ phoneNumber: string }>({
    method: 'post',
    path: `${base}/numbers/release`,
    summary: 'Release a number at the provider (it stops receiving and cannot be recovered); its sender is removed; audited',
    tag: 'Provisioning',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, required: ['phoneNumber'], properties: { phoneNumber: { type: 'string', pattern: E164 } } },
    response: {
      type: 'object',
      properties: { object: { const: 'released_number' }, phoneNumber: { type: 'string' }, released: { type: 'boolean' }, providerId: { type: ['string', 'null'] }, sendersRemoved: { type: 'integer' } },
    },
    handler: async (ctx) => {
      const out = await releaseNumber(ctx.engine, ctx.auth.orgId, ctx.params.id!, ctx.body.phoneNumber);
      await audit(ctx, 'connection.number_released', { phoneNumber: out.phoneNumber, providerId: out.providerId, released: out.released });
      return out;
    },
  }),
  defineRoute({
    method: 'get',
    path: `${base}/health`,
    summary: 'Wiring check: webhooks point at us, credentials, last inbound/outbound, failure rate, sender registration; a change of status emits connection.health_changed',
    tag: 'Provisioning',
    scope: 'connections:read',
    response: healthSchema,
    handler: ({ engine, auth, params }) => checkHealth(engine, auth.orgId, params.id!),
  }),
  defineRoute({
    method: 'post',
    path: `${base}/wiring/fix`,
    summary: "Fix webhook URLs: re-point every number / service / webhook of the connection that points elsewhere, then answer the health check",
    tag: 'Provisioning',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, properties: {} },
    response: healthSchema,
    handler: async (ctx) => {
      const report = await checkHealth(ctx.engine, ctx.auth.orgId, ctx.params.id!, { fix: true });
      const fixed = (report.wiring ?? []).filter((w) => w.fixed).map((w) => ({ kind: w.kind, id: w.id, field: w.field }));
      if (fixed.length) await audit(ctx, 'connection.wiring_fixed', { fixed });
      return report;
    },
  }),
  defineRoute({
    method: 'post',
    path: `${base}/registrations/sync`,
    summary: "Read sender registration (A2P 10DLC brand + campaign) from the provider into the connection's senders now (also polled)",
    tag: 'Provisioning',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, properties: {} },
    handler: ({ engine, auth, params }) => syncRegistrations(engine, auth.orgId, params.id!),
  }),
  defineRoute({
    method: 'post',
    path: `${base}/templates/sync`,
    summary: "Read the provider's message templates (name, language, category, status, components) now (also polled)",
    tag: 'Provisioning',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, properties: {} },
    response: { type: 'object', properties: { data: { type: 'array', items: templateSchema }, changed: { type: 'integer' }, removed: { type: 'integer' } } },
    handler: ({ engine, auth, params }) => syncTemplates(engine, auth.orgId, params.id!),
  }),
  defineRoute({
    method: 'get',
    path: `${base}/templates`,
    summary: "The connection's templates as last synced",
    tag: 'Provisioning',
    scope: 'connections:read',
    response: { type: 'object', properties: { data: { type: 'array', items: templateSchema } } },
    handler: async ({ engine, auth, params }) => ({ data: await engine.tenant(auth.orgId, (tx) => listTemplates(tx, params.id!)) }),
  }),
];
