import { defineRoute, type RouteContext } from '../http/route.ts';
import type { ConnectionDeps, ConnectionView } from '../../core/connections/model.ts';
import {
  createConnection,
  disableConnection,
  findConnectionRow,
  getConnection,
  listConnections,
  updateConnection,
  type ConnectionPatch,
  type NewConnection,
} from '../../core/connections/service.ts';
import { listUpgrades, upgradeConnection, upgradeOptions } from '../../core/connections/upgrade.ts';
import { connectionHealth } from '../../core/connections/health.ts';
import { listArchive, type ArchiveStatus } from '../../core/connections/archive.ts';
import { hasScope } from '../../core/scopes.ts';
import { AppError } from '../../core/errors.ts';
import { testConnection } from '../../core/connections/test-call.ts';
import { replayArchived, REPLAY_BATCH, type ReplayInput } from '../../core/connections/replay.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { actorRef, auditBy } from '../http/audit.ts';
import { fixedItems, wireConnection, type ConnectWiring } from '../../core/provisioning/wire.ts';

/** Connections: a connector installed for the org (config, write-only secrets, sandbox flag), its test, upgrade and replay. */
const deps = ({ engine }: RouteContext): ConnectionDeps => ({ connectors: engine.connectors, publicUrl: engine.config.publicUrl });

/** A connection change in one tenant transaction, audited with ids and versions (never config or secrets). */
const audited = (ctx: RouteContext, action: string, change: (tx: TenantTx) => Promise<ConnectionView>, details: Record<string, unknown> = {}) =>
  ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
    const view = await change(tx);
    const target = { type: 'connection', id: view.id };
    await recordAudit(tx, { ...auditBy(ctx), action, target, details: { connector: view.connector, version: view.version, ...details } });
    return view;
  });

const settings = {
  config: { type: 'object', description: "Validated against the connector version's configSchema (GET /v1/connectors)" },
  secrets: { type: 'object', description: 'Validated against secretsSchema, encrypted with the org key, never returned' },
  sandbox: { type: 'boolean', description: 'Sends are recorded, not forwarded; status callbacks are simulated through the signed ingress' },
};

const connectionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'connection' },
    connector: { type: 'string' },
    version: { type: ['string', 'null'], description: 'The running version: the highest installed release of the pinned major (null: not installed)' },
    major: { type: 'integer', description: 'The pinned major version' },
    name: { type: 'string' },
    config: { type: 'object' },
    secretsSet: { type: 'boolean' },
    secretFields: { type: 'array', items: { type: 'string' } },
    sandbox: { type: 'boolean' },
    status: { type: 'string', enum: ['active', 'disabled', 'error'] },
    statusReason: { type: ['string', 'null'] },
    inboundUrl: { type: 'string', description: 'Give this URL to the provider as its webhook / status callback URL' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const archiveSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'raw_inbound' },
    connectionId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['received', 'held', 'processed', 'failed', 'unmatched'] },
    error: { type: ['string', 'null'] },
    messageIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
    receivedAt: { type: 'string', format: 'date-time' },
    processedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

export const connectionRoutes = [
  defineRoute<NewConnection & { wire?: boolean }>({
    method: 'post',
    path: '/v1/connections',
    summary: 'Install a connector for the org',
    tag: 'Connections',
    scope: 'connections:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['connector', 'name'],
      properties: {
        connector: { type: 'string', minLength: 1, maxLength: 80, description: '"twilio" (newest major) or "twilio@1" (pins major 1)' },
        name: { type: 'string', minLength: 1, maxLength: 200 },
        ...settings,
        wire: {
          type: 'boolean',
          default: true,
          description:
            "Point the provider's webhooks at the connection now (Twilio numbers and Messaging Service, SendGrid Inbound Parse and signed Event Webhook, the WhatsApp app subscription); false skips it (POST …/wiring/fix does it later)",
        },
      },
    },
    response: {
      ...connectionSchema,
      properties: {
        ...connectionSchema.properties,
        wiring: {
          type: 'object',
          description: 'Wiring on connect: the connection is created whatever the provider answered; a refusal is reported here',
          properties: {
            status: { enum: ['wired', 'incomplete', 'failed', 'not_offered', 'skipped'] },
            items: { type: 'array', items: { type: 'object' } },
            error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
    handler: async (ctx) => {
      const { wire, ...input } = ctx.body;
      const view = await audited(ctx, 'connection.created', (tx) => createConnection(tx, deps(ctx), input), { sandbox: !!input.sandbox });
      const wiring: ConnectWiring = wire === false ? { status: 'skipped' } : await wireConnection(ctx.engine, ctx.auth.orgId, view.id);
      const fixed = fixedItems(wiring.items);
      if (fixed.length || wiring.status === 'failed') {
        await ctx.engine.tenant(ctx.auth.orgId, (tx) =>
          recordAudit(tx, {
            ...auditBy(ctx),
            action: wiring.status === 'failed' ? 'connection.wiring_failed' : 'connection.wiring_fixed',
            target: { type: 'connection', id: view.id },
            details: wiring.status === 'failed' ? { onConnect: true, code: wiring.error?.code } : { onConnect: true, fixed },
          }),
        );
      }
      // A fix may have stored config (SendGrid's verification key): answer with the connection as it is now.
      const current = wiring.items?.length ? await ctx.engine.tenant(ctx.auth.orgId, (tx) => getConnection(tx, deps(ctx), view.id)) : view;
      return { ...current, wiring };
    },
  }),
  defineRoute<unknown, { status?: string; connector?: string }>({
    method: 'get',
    path: '/v1/connections',
    summary: "The org's connections, oldest first",
    tag: 'Connections',
    scope: 'connections:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { status: { type: 'string', enum: ['active', 'disabled', 'error'] }, connector: { type: 'string' } },
    },
    response: { type: 'object', properties: { data: { type: 'array', items: connectionSchema } } },
    handler: async (ctx) => ({ data: await ctx.engine.tenant(ctx.auth.orgId, (tx) => listConnections(tx, deps(ctx), ctx.query)) }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/connections/:id',
    summary: 'Get a connection (secrets are never returned)',
    tag: 'Connections',
    scope: 'connections:read',
    response: connectionSchema,
    handler: (ctx) => ctx.engine.tenant(ctx.auth.orgId, (tx) => getConnection(tx, deps(ctx), ctx.params.id!)),
  }),
  defineRoute<ConnectionPatch>({
    method: 'patch',
    path: '/v1/connections/:id',
    summary: 'Rename, reconfigure, change secrets (merged; null removes one), toggle sandbox, enable or disable',
    tag: 'Connections',
    scope: 'connections:write',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, ...settings, status: { type: 'string', enum: ['active', 'disabled'] } },
    },
    response: connectionSchema,
    handler: (ctx) =>
      audited(ctx, 'connection.updated', (tx) => updateConnection(tx, deps(ctx), ctx.params.id!, ctx.body), {
        fields: Object.keys(ctx.body),
        ...(ctx.body.secrets ? { secrets: Object.keys(ctx.body.secrets) } : {}),
      }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/connections/:id',
    summary: 'Disable a connection (kept for the messages that went through it; its receive URL answers 404)',
    tag: 'Connections',
    scope: 'connections:write',
    response: connectionSchema,
    handler: (ctx) => audited(ctx, 'connection.deleted', (tx) => disableConnection(tx, deps(ctx), ctx.params.id!)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/connections/:id/test',
    summary: "Check the connection's credentials with a harmless provider call (sandbox: always ok, nothing called)",
    tag: 'Connections',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, properties: {} },
    response: { type: 'object', properties: { ok: { type: 'boolean' }, sandbox: { type: 'boolean' }, message: { type: 'string' } } },
    handler: ({ engine, auth, params }) => testConnection(engine, auth.orgId, params.id!),
  }),
  defineRoute<{ version: string }>({
    method: 'post',
    path: '/v1/connections/:id/upgrade',
    summary: "Move the connection to another version (a major runs the manifest's config migrations); recorded",
    tag: 'Connections',
    scope: 'connections:write',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['version'],
      properties: { version: { type: 'string', minLength: 1, maxLength: 64, description: 'A major ("2") or an installed version ("2.0.0")' } },
    },
    response: connectionSchema,
    handler: (ctx) =>
      audited(ctx, 'connection.upgraded', (tx) => upgradeConnection(tx, deps(ctx), ctx.params.id!, ctx.body, actorRef(ctx.auth)), {
        requested: ctx.body.version,
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/connections/:id/upgrades',
    summary: "The connection's upgrade history",
    tag: 'Connections',
    scope: 'connections:read',
    handler: async ({ engine, auth, params }) => ({ data: await engine.tenant(auth.orgId, (tx) => listUpgrades(tx, params.id!)) }),
  }),
  defineRoute<ReplayInput>({
    method: 'post',
    path: '/v1/connections/:id/replay',
    summary: 'Map and ingest archived webhook requests again (one, or every failed / unmatched one since a date)',
    tag: 'Connections',
    scope: 'connections:write',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rawInboundId: { type: 'string', format: 'uuid' },
        rawInboundIds: { type: 'array', minItems: 1, maxItems: REPLAY_BATCH, items: { type: 'string', format: 'uuid' } },
        since: { type: 'string', format: 'date-time' },
        limit: { type: 'integer', minimum: 1, maximum: REPLAY_BATCH },
      },
    },
    response: { type: 'object', properties: { data: { type: 'array', items: archiveSchema }, hasMore: { type: 'boolean' } } },
    handler: async (ctx) => {
      const out = await replayArchived(ctx.engine, ctx.auth.orgId, ctx.params.id!, ctx.body);
      // Audited after the fact (the replay spans several transactions): what was asked, and how each went, by id.
      const outcomes: Record<string, number> = {};
      for (const r of out.data) outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
      await ctx.engine.tenant(ctx.auth.orgId, (tx) =>
        recordAudit(tx, {
          ...auditBy(ctx),
          action: 'connection.replayed',
          target: { type: 'connection', id: ctx.params.id! },
          details: { rawInboundIds: out.data.map((r) => r.id), outcomes, ...(ctx.body.since ? { since: ctx.body.since } : {}) },
        }),
      );
      return out;
    },
  }),
  defineRoute<unknown, { status?: ArchiveStatus; failed?: boolean; limit?: number; cursor?: string; include?: 'request' }>({
    method: 'get',
    path: '/v1/connections/:id/archive',
    summary:
      "The connection's archive of raw inbound requests, newest first (cursor-paginated): status, error, the messages each produced. `failed=true`: failed and unmatched only. `include=request` adds the request itself (method, URL, headers, body) and needs the admin scope: it holds message content",
    tag: 'Connections',
    scope: 'connections:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['received', 'held', 'processed', 'failed', 'unmatched'] },
        failed: { type: 'boolean' },
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        cursor: { type: 'string', maxLength: 200 },
        include: { type: 'string', enum: ['request'] },
      },
    },
    response: {
      type: 'object',
      properties: {
        data: { type: 'array', items: { ...archiveSchema, properties: { ...archiveSchema.properties, request: { type: 'object', description: 'Only with include=request (admin scope)' } } } },
        nextCursor: { type: ['string', 'null'] },
        hasMore: { type: 'boolean' },
      },
    },
    handler: ({ engine, auth, params, query }) => {
      if (query.include === 'request' && !hasScope(auth.scopes, 'admin')) {
        throw new AppError('forbidden', 'include=request shows message content: it needs the "admin" scope.', { details: { scope: 'admin' } });
      }
      return engine.tenant(auth.orgId, async (tx) => {
        await findConnectionRow(tx, params.id!);
        return listArchive(tx, params.id!, { status: query.status, failed: query.failed, limit: query.limit, cursor: query.cursor, includeRequest: query.include === 'request' });
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/connections/:id/activity',
    summary: 'Last inbound request and outbound message times, inbound / outbound error counts (24 h), the poller (cursor, last run, failures) and the OAuth grant',
    tag: 'Connections',
    scope: 'connections:read',
    response: {
      type: 'object',
      properties: {
        connectionId: { type: 'string', format: 'uuid' },
        lastInboundAt: { type: ['string', 'null'], format: 'date-time' },
        lastOutboundAt: { type: ['string', 'null'], format: 'date-time' },
        errors: {
          type: 'object',
          properties: { inboundFailed24h: { type: 'integer' }, inboundUnmatched24h: { type: 'integer' }, outboundFailed24h: { type: 'integer' }, inboundFailedTotal: { type: 'integer' } },
        },
        poller: {
          type: ['object', 'null'],
          description: 'null: the connector does not poll',
          properties: {
            healthy: { type: 'boolean' },
            cursor: { type: ['string', 'null'] },
            lastRunAt: { type: ['string', 'null'] },
            lastSuccessAt: { type: ['string', 'null'] },
            nextRunAt: { type: 'string' },
            failures: { type: 'integer' },
            lastError: { type: ['string', 'null'] },
          },
        },
        oauth: {
          type: ['object', 'null'],
          description: 'null: the connector has no OAuth authorization-code install',
          properties: { authorized: { type: 'boolean' }, scopes: { type: 'array', items: { type: 'string' } }, expiresAt: { type: ['string', 'null'] }, failure: { type: ['string', 'null'] } },
        },
      },
    },
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => connectionHealth(tx, engine.connectors, params.id!)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/connections/:id/upgrade-options',
    summary: "The running version and each newer major this connection can be upgraded to (POST …/upgrade), each with the connector's CHANGELOG entry",
    tag: 'Connections',
    scope: 'connections:read',
    response: {
      type: 'object',
      properties: {
        current: { type: ['object', 'null'], properties: { version: { type: 'string' }, major: { type: 'integer' }, changelog: { type: ['string', 'null'] } } },
        options: { type: 'array', items: { type: 'object', properties: { version: { type: 'string' }, major: { type: 'integer' }, changelog: { type: ['string', 'null'] } } } },
      },
    },
    handler: (ctx) => ctx.engine.tenant(ctx.auth.orgId, (tx) => upgradeOptions(tx, deps(ctx), ctx.params.id!)),
  }),
];
